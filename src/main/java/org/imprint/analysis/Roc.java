package org.imprint.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ROC curve of a score that should be higher for the positive class (for membership inference: members
 * are positive), with its summary numbers.
 *
 * <p><b>Curve.</b> Thresholds are the distinct scores, from the highest down; the vertex for threshold t is
 * (FPR(t), TPR(t)) with TPR(t) = #{positives with score ≥ t} / P and FPR(t) = #{negatives with score ≥ t} / N,
 * preceded by (0, 0). Tied scores move the curve diagonally, as for a randomised tie-break.
 *
 * <p><b>AUC</b> is the area under that polyline, which equals the Mann–Whitney statistic
 * P(s⁺ &gt; s⁻) + ½·P(s⁺ = s⁻) over all positive/negative pairs; it is computed from ranks (midranks for ties), exactly.
 *
 * <p><b>TPR at a fixed FPR α</b> is read off the polyline by linear interpolation between the two vertices
 * whose FPRs bracket α (NumPy's {@code np.interp(α, fpr, tpr)} on the vertex list). This is the TPR of the best
 * test that randomises between two adjacent thresholds; it is never below the staircase convention "TPR at the
 * largest FPR ≤ α" and never above the next vertex. With fewer than 1/α negatives the value is interpolated
 * between (0, 0) and the first vertex that has a false positive, so treat it as coarse.
 *
 * <p><b>Advantage</b> is max over thresholds of TPR − FPR (Yeom et al. 2018), attained at a vertex.
 */
public final class Roc {
    private final double[] fpr, tpr, thresholds;
    private final double auc;
    private final int positives, negatives;

    private Roc(double[] fpr, double[] tpr, double[] thresholds, double auc, int positives, int negatives) {
        this.fpr = fpr;
        this.tpr = tpr;
        this.thresholds = thresholds;
        this.auc = auc;
        this.positives = positives;
        this.negatives = negatives;
    }

    /** The ROC of {@code scores} where {@code positive[i]} says whether sample i belongs to the positive class. */
    public static Roc of(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        int p = 0;
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) throw new IllegalArgumentException("score " + i + " is NaN");
            if (positive[i]) p++;
        }
        int nNeg = scores.length - p;
        if (p == 0 || nNeg == 0) throw new IllegalArgumentException("an ROC needs both classes: " + p + " positives, " + nNeg + " negatives");
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        List<double[]> vertices = new ArrayList<>();
        vertices.add(new double[] {0, 0, Double.POSITIVE_INFINITY});
        int tp = 0, fp = 0;
        for (int k = 0; k < order.length; ) {
            double s = scores[order[k]];
            while (k < order.length && scores[order[k]] == s) {
                if (positive[order[k]]) tp++;
                else fp++;
                k++;
            }
            vertices.add(new double[] {(double) fp / nNeg, (double) tp / p, s});
        }
        double[] f = new double[vertices.size()], t = new double[vertices.size()], th = new double[vertices.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = vertices.get(i)[0];
            t[i] = vertices.get(i)[1];
            th[i] = vertices.get(i)[2];
        }
        return new Roc(f, t, th, mannWhitney(scores, positive, p, nNeg), p, nNeg);
    }

    /** P(s⁺ &gt; s⁻) + ½·P(s⁺ = s⁻) via midranks: (Σ ranks of positives − P(P+1)/2) / (P·N). */
    static double mannWhitney(double[] scores, boolean[] positive, int p, int n) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSum = 0;
        for (int k = 0; k < order.length; ) {
            int start = k;
            double s = scores[order[k]];
            while (k < order.length && scores[order[k]] == s) k++;
            double midrank = (start + 1 + k) / 2.0; // ranks start..k-1 are 1-based start+1..k
            for (int j = start; j < k; j++) if (positive[order[j]]) rankSum += midrank;
        }
        return (rankSum - p * (p + 1) / 2.0) / ((double) p * n);
    }

    /** FPR of the vertices, from (0, 0) to (1, 1), non-decreasing. */
    public double[] fpr() { return fpr.clone(); }

    /** TPR of the vertices. */
    public double[] tpr() { return tpr.clone(); }

    /** The threshold of each vertex (score ≥ threshold is called positive); +∞ for the first. */
    public double[] thresholds() { return thresholds.clone(); }

    public double auc() { return auc; }

    public int positives() { return positives; }

    public int negatives() { return negatives; }

    /** TPR at false-positive rate α, linearly interpolated on the polyline (see the class comment). */
    public double tprAtFpr(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("FPR must be in [0, 1], got " + alpha);
        // the last vertex with fpr <= alpha; the polyline is a function of fpr except on vertical runs, where
        // the highest TPR at that FPR is the one to take
        int i = 0;
        while (i + 1 < fpr.length && fpr[i + 1] <= alpha) i++;
        if (fpr[i] == alpha || i + 1 == fpr.length) return tpr[i];
        double w = (alpha - fpr[i]) / (fpr[i + 1] - fpr[i]);
        return tpr[i] + w * (tpr[i + 1] - tpr[i]);
    }

    /** max over thresholds of TPR − FPR. */
    public double advantage() {
        double best = 0;
        for (int i = 0; i < fpr.length; i++) best = Math.max(best, tpr[i] - fpr[i]);
        return best;
    }

    /** TPR and FPR of the fixed rule "positive ⇔ score ≥ threshold". */
    public record Rates(double tpr, double fpr) {
        public double advantage() { return tpr - fpr; }
    }

    /** The rates of the rule "positive ⇔ score ≥ threshold" on these scores. */
    public static Rates ratesAt(double[] scores, boolean[] positive, double threshold) {
        int tp = 0, fp = 0, p = 0;
        for (int i = 0; i < scores.length; i++) {
            if (positive[i]) p++;
            if (scores[i] >= threshold) {
                if (positive[i]) tp++;
                else fp++;
            }
        }
        int n = scores.length - p;
        return new Rates(p == 0 ? Double.NaN : (double) tp / p, n == 0 ? Double.NaN : (double) fp / n);
    }

    /** Concatenates member (positive) and non-member scores into one labelled sample. */
    public static Roc ofMembers(double[] memberScores, double[] nonMemberScores) {
        double[] s = new double[memberScores.length + nonMemberScores.length];
        boolean[] pos = new boolean[s.length];
        System.arraycopy(memberScores, 0, s, 0, memberScores.length);
        System.arraycopy(nonMemberScores, 0, s, memberScores.length, nonMemberScores.length);
        Arrays.fill(pos, 0, memberScores.length, true);
        return of(s, pos);
    }
}
