package org.imprint.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SUMO's identities (sumo.md §5 unit tests), its polar factor, subspaces and the pitfalls it must not copy. */
class SumoTest {
    static double[] gaussian(int rows, int cols, long seed) {
        Rng rng = new Rng(seed);
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return a;
    }

    /** U·diag(s)·Vᵀ with random orthonormal U (r×r) and V (n×r) and the given singular values. */
    static double[] withSpectrum(double[] s, int n, long seed) {
        int r = s.length;
        double[] u = org.imprint.linalg.Qr.factor(gaussian(r, r, seed), r, r).q();
        double[] v = org.imprint.linalg.Qr.factor(gaussian(n, r, seed + 1), n, r).q();
        double[] us = u.clone();
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) us[i * r + j] *= s[j];
        return Matrices.multiply(us, false, v, true, r, n, r);
    }

    static void assertIdentity(double[] oot, int r, double tol) {
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) assertEquals(i == j ? 1 : 0, oot[i * r + j], tol, "OOᵀ[" + i + "," + j + "]");
    }

    @Test void polarFactorOfFullRankIsSemiOrthogonalAndMatchesEjml() {
        int r = 8, n = 50;
        double[] m = gaussian(r, n, 1);
        double[] o = PolarFactor.of(m, r, n);
        assertIdentity(Matrices.multiply(o, false, o, true, r, r, n), r, 1e-12);
        assertArrayEquals(Reference.polar(m, r, n), o, 1e-12);
        double[] tall = Matrices.transpose(m, r, n);
        assertArrayEquals(Matrices.transpose(o, r, n), PolarFactor.of(tall, n, r), 1e-12);
    }

    @Test void polarFactorIsScaleInvariant() {
        double[] m = gaussian(6, 40, 2);
        double[] scaled = m.clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= 3.7e-5;
        assertArrayEquals(PolarFactor.of(m, 6, 40), PolarFactor.of(scaled, 6, 40), 1e-12);
    }

    @Test void innerProductWithTheMomentIsItsNuclearNorm() {
        double[] m = gaussian(5, 30, 3);
        double nuclear = 0;
        for (double s : Reference.svd(m, 5, 30).s()) nuclear += s;
        assertEquals(nuclear, Matrices.dot(PolarFactor.of(m, 5, 30), m), 1e-11 * nuclear);
    }

    @Test void illConditionedAndRankDeficientMoments() {
        double[] m = withSpectrum(new double[] {1, 1e-3, 1e-6, 1e-9}, 64, 4);
        assertIdentity(Matrices.multiply(PolarFactor.of(m, 4, 64), false, PolarFactor.of(m, 4, 64), true, 4, 4, 64), 4, 1e-6);
        double[] deficient = withSpectrum(new double[] {2, 1, 0, 0}, 64, 5);
        double[] o = PolarFactor.of(deficient, 4, 64);
        double[] oot = Matrices.multiply(o, false, o, true, 4, 4, 64);
        double trace = 0;
        for (int i = 0; i < 4; i++) trace += oot[i * 4 + i];
        assertEquals(2, trace, 1e-10, "OOᵀ is the projector onto the range of M: rank 2");
        assertEquals(3, Matrices.dot(o, deficient), 1e-10, "⟨O, M⟩ = 2 + 1");
        assertArrayEquals(new double[4 * 64], PolarFactor.of(new double[4 * 64], 4, 64), 0.0, "O(0) = 0");
    }

    @Test void newtonSchulzCubicConvergesAndQuinticStaysInItsBand() {
        double[] m = withSpectrum(new double[] {1, 0.5, 0.2, 0.1}, 32, 6);
        double[] exact = PolarFactor.of(m, 4, 32);
        assertArrayEquals(exact, NewtonSchulz.cubic(m, 4, 32, 40), 1e-10);
        double[] q = NewtonSchulz.quintic(m, 4, 32, 5);
        for (double s : Reference.svd(q, 4, 32).s()) assertTrue(s > 0.6 && s < 1.25, "NS5 singular value " + s);
        assertTrue(Math.abs(Matrices.frobenius(q) - 2) > 1e-3, "NS5 is not the exact polar factor");
    }

    @Test void randomizedSubspaceSpansTheExactOneWhenThereIsAGap() {
        int p = 40, q = 30, r = 3;
        double[] low = Matrices.multiply(gaussian(p, r, 7), false, gaussian(r, q, 8), false, p, q, r);
        double[] noise = gaussian(p, q, 9);
        for (int i = 0; i < low.length; i++) low[i] = 10 * low[i] + 1e-6 * noise[i];
        double[] exact = Subspace.exact(low, p, q, r), randomized = Subspace.randomized(low, p, q, r, 5, 1, new Rng(3));
        assertArrayEquals(Matrices.multiply(exact, false, exact, true, p, p, r),
                Matrices.multiply(randomized, false, randomized, true, p, p, r), 1e-9, "QQᵀ");
    }

    private static Tensor matrix(long seed) {
        return Tensor.of(gaussian(12, 7, seed), 12, 7).requiresGrad(true);
    }

    private static void step(Optimizer o, Tensor w, double[] g) {
        w.mul(Tensor.of(g, 12, 7)).sum().backward();
        o.step();
        o.zeroGrad();
    }

    @Test void transportIsTheIdentityWhenTheSubspaceDoesNotChange() {
        double[] g = gaussian(12, 7, 10);
        Tensor a = matrix(11), b = matrix(11);
        Optimizer on = Optimizers.create("sumo", List.of(a), 0.01, Map.of("rank", "3", "update_gap", "1"));
        Optimizer off = Optimizers.create("sumo", List.of(b), 0.01, Map.of("rank", "3", "update_gap", "1", "transport", "false"));
        for (int t = 0; t < 4; t++) {
            step(on, a, g);
            step(off, b, g);
        }
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 1e-13);
        // …and it does act when the subspace moves
        for (int t = 0; t < 3; t++) {
            double[] h = gaussian(12, 7, 20 + t);
            step(on, a, h);
            step(off, b, h);
        }
        double diff = 0;
        for (int i = 0; i < a.size(); i++) diff = Math.max(diff, Math.abs(a.getFlat(i) - b.getFlat(i)));
        assertTrue(diff > 1e-6, "transport on and off should differ after subspace changes, max diff " + diff);
    }

    @Test void transportRotatesTheMomentIntoTheNewBasis() {
        Tensor w = matrix(12);
        Sumo sumo = (Sumo) Optimizers.create("sumo", List.of(w), 0.01, Map.of("rank", "2", "update_gap", "2", "side", "left"));
        double[] g1 = gaussian(12, 7, 30), g2 = gaussian(12, 7, 31), g3 = gaussian(12, 7, 32);
        step(sumo, w, g1);
        step(sumo, w, g2);
        double[] q1 = sumo.state(w).get("basis").toDoubleArray(), m2 = sumo.state(w).get("moment").toDoubleArray();
        step(sumo, w, g3); // t = 2: refresh from g3
        double[] q2 = sumo.state(w).get("basis").toDoubleArray(), m3 = sumo.state(w).get("moment").toDoubleArray();
        double[] rotation = Matrices.multiply(q2, true, q1, false, 2, 2, 12);
        double[] transported = Matrices.multiply(rotation, false, m2, false, 2, 7, 2);
        double[] low = Matrices.multiply(q2, true, g3, false, 2, 7, 12);
        double[] expected = new double[14];
        for (int i = 0; i < 14; i++) expected[i] = 0.95 * transported[i] + low[i];
        assertArrayEquals(expected, m3, 1e-12);
    }

    @Test void nesterovKeepsTheBufferInsteadOfOverwritingIt() {
        Tensor w = matrix(13);
        Sumo sumo = (Sumo) Optimizers.create("sumo", List.of(w), 0.01, Map.of("rank", "2", "nesterov", "true", "side", "left"));
        double[] g = gaussian(12, 7, 40);
        step(sumo, w, g);
        double[] q = sumo.state(w).get("basis").toDoubleArray();
        assertArrayEquals(Matrices.multiply(q, true, g, false, 2, 7, 12), sumo.state(w).get("moment").toDoubleArray(), 1e-13,
                "after one step M = Ĝ, not Ĝ + μ(μ·0 + Ĝ) as the public code's overwrite would leave");
    }

    @Test void growthLimiterCapsTheNormRatio() {
        Tensor w = matrix(14);
        Sumo sumo = (Sumo) Optimizers.create("sumo-ns5", List.of(w), 0.01, Map.of("rank", "3", "growth_limit", "1.01", "update_gap", "1"));
        double previous = 0;
        boolean capped = false;
        for (int t = 0; t < 8; t++) {
            double[] g = gaussian(12, 7, 50 + t);
            for (int i = 0; i < g.length; i++) g[i] *= Math.pow(3, t % 3) * (i % 7 == 0 ? 5 : 1);
            step(sumo, w, g);
            double norm = sumo.state(w).get("previous_norm").item();
            if (previous > 0) {
                assertTrue(norm / previous <= 1.01 + 1e-12, "norm ratio " + norm / previous);
                capped |= Math.abs(norm / previous - 1.01) < 1e-12;
            }
            previous = norm;
        }
        assertTrue(capped, "the limiter never engaged: the test does not exercise it");
    }

    @Test void stateHoldsRankTimesMPlusNFloats() {
        Tensor w = matrix(15);
        Optimizer sumo = Optimizers.create("sumo", List.of(w), 0.01, Map.of("rank", "3"));
        step(sumo, w, gaussian(12, 7, 60));
        int floats = sumo.state(w).get("basis").size() + sumo.state(w).get("moment").size();
        assertEquals(3 * (12 + 7), floats);
    }
}
