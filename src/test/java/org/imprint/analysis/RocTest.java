package org.imprint.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.TreeSet;
import org.imprint.tensor.Rng;
import org.junit.jupiter.api.Test;

class RocTest {
    /** AUC as the fraction of (positive, negative) pairs ordered correctly, ties counting ½. */
    private static double bruteAuc(double[] s, boolean[] pos) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            if (!pos[i]) continue;
            for (int j = 0; j < s.length; j++) {
                if (pos[j]) continue;
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    /** Vertices by brute force: every distinct score as a threshold, plus +∞, ordered by threshold descending. */
    private static double[][] bruteVertices(double[] s, boolean[] pos) {
        TreeSet<Double> th = new TreeSet<>();
        for (double v : s) th.add(v);
        double[][] out = new double[th.size() + 1][];
        out[0] = new double[] {0, 0};
        int k = 1;
        for (double t : th.descendingSet()) {
            Roc.Rates r = Roc.ratesAt(s, pos, t);
            out[k++] = new double[] {r.fpr(), r.tpr()};
        }
        return out;
    }

    /** Largest TPR of any point on a segment between consecutive vertices at FPR α (the polyline's height there). */
    private static double bruteTprAt(double[][] v, double alpha) {
        double best = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i][0] <= alpha) best = Math.max(best, v[i][1]);
            if (i + 1 < v.length && v[i][0] < alpha && v[i + 1][0] > alpha) {
                double w = (alpha - v[i][0]) / (v[i + 1][0] - v[i][0]);
                best = Math.max(best, v[i][1] + w * (v[i + 1][1] - v[i][1]));
            }
        }
        return best;
    }

    @Test void handExample() {
        // positives 0.9, 0.8, 0.4; negatives 0.7, 0.4, 0.1
        double[] s = {0.9, 0.8, 0.4, 0.7, 0.4, 0.1};
        boolean[] pos = {true, true, true, false, false, false};
        Roc roc = Roc.of(s, pos);
        // pairs: 0.9 and 0.8 beat all 3 (6); 0.4 beats 0.1 (1), ties 0.4 (½), loses to 0.7 → 7.5 / 9
        assertEquals(7.5 / 9, roc.auc(), 1e-15);
        assertArrayEquals(new double[] {0, 0, 0, 1 / 3.0, 2 / 3.0, 1}, roc.fpr(), 1e-15);
        assertArrayEquals(new double[] {0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1}, roc.tpr(), 1e-15);
        assertEquals(2 / 3.0, roc.advantage(), 1e-15); // at (0, 2/3)
        // FPR 1/6 lies between (0, 2/3) and (1/3, 2/3): 2/3
        assertEquals(2 / 3.0, roc.tprAtFpr(1 / 6.0), 1e-15);
        // at FPR 1/2, halfway along the tie segment (1/3, 2/3) → (2/3, 1): 5/6
        assertEquals(5 / 6.0, roc.tprAtFpr(0.5), 1e-15);
        assertEquals(2 / 3.0, roc.tprAtFpr(0), 1e-15);
        assertEquals(1, roc.tprAtFpr(1), 1e-15);
    }

    @Test void matchesBruteForceWithTies() {
        Rng rng = new Rng(7);
        for (int rep = 0; rep < 30; rep++) {
            int n = 5 + rng.nextInt(60);
            double[] s = new double[n];
            boolean[] pos = new boolean[n];
            for (int i = 0; i < n; i++) {
                pos[i] = i < 2 || (i > 3 && rng.nextDouble() < 0.4);
                if (i == 2 || i == 3) pos[i] = false;
                s[i] = rng.nextInt(8) + (pos[i] ? 1.5 : 0); // coarse values: many ties
            }
            Roc roc = Roc.of(s, pos);
            assertEquals(bruteAuc(s, pos), roc.auc(), 1e-12);
            double[][] v = bruteVertices(s, pos);
            double[] f = roc.fpr(), t = roc.tpr();
            assertEquals(v.length, f.length);
            double adv = 0;
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i][0], f[i], 1e-15);
                assertEquals(v[i][1], t[i], 1e-15);
                adv = Math.max(adv, v[i][1] - v[i][0]);
            }
            assertEquals(adv, roc.advantage(), 1e-15);
            for (double alpha : new double[] {0, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.77, 1}) {
                assertEquals(bruteTprAt(v, alpha), roc.tprAtFpr(alpha), 1e-12, "alpha " + alpha);
            }
        }
    }

    @Test void aucIsTrapezoidAreaOfThePolyline() {
        Rng rng = new Rng(3);
        double[] s = new double[200];
        boolean[] pos = new boolean[200];
        for (int i = 0; i < s.length; i++) {
            pos[i] = i % 3 == 0;
            s[i] = Math.round((rng.nextGaussian() + (pos[i] ? 1 : 0)) * 4) / 4.0;
        }
        Roc roc = Roc.of(s, pos);
        double[] f = roc.fpr(), t = roc.tpr();
        double area = 0;
        for (int i = 1; i < f.length; i++) area += (f[i] - f[i - 1]) * (t[i] + t[i - 1]) / 2;
        assertEquals(area, roc.auc(), 1e-12);
    }

    @Test void ratesAtThreshold() {
        double[] s = {3, 2, 1, 2, 0};
        boolean[] pos = {true, true, true, false, false};
        Roc.Rates r = Roc.ratesAt(s, pos, 2);
        assertEquals(2 / 3.0, r.tpr(), 1e-15);
        assertEquals(0.5, r.fpr(), 1e-15);
    }

    @Test void rejectsOneClassAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> Roc.of(new double[] {1, 2}, new boolean[] {true, true}));
        assertThrows(IllegalArgumentException.class, () -> Roc.of(new double[] {1, Double.NaN}, new boolean[] {true, false}));
        assertThrows(IllegalArgumentException.class, () -> Roc.of(new double[] {1}, new boolean[] {true, false}));
    }
}
