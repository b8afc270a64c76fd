package org.imprint.attacks.provable;

/**
 * How a 1-D candidate set compares with the training set.
 *
 * @param candidates        |S|
 * @param hits              candidates within ε of some training point
 * @param precision         hits / |S| (NaN for an empty S); Thm 3.4 promises ≥ ¼ for Algorithm 1 at an exact KKT point
 * @param marginPoints      training points on the margin: y_i·Φ(x_i) ≤ (1 + slack)·m
 * @param marginPointsFound those within ε of some candidate
 * @param recall            marginPointsFound / marginPoints (NaN if none)
 * @param chancePrecision   the probability that a uniform point of [lo, hi] lies within ε of a training point
 *                          (the precision of guessing at random)
 */
public record ReconstructionScore(int candidates, int hits, double precision, int marginPoints, int marginPointsFound,
                                  double recall, double chancePrecision) {

    /**
     * Scores {@code candidates} against training inputs {@code x} with outputs Φ(x_i) and signs y_i.
     *
     * @param m           the margin defining "on the margin"
     * @param epsilon     match distance
     * @param marginSlack relative slack of the on-margin test (0.01: y·Φ &lt; 1.01·m)
     * @param lo          left end of the range random guesses are drawn from (the data's support, e.g. −1)
     * @param hi          right end (e.g. 1)
     */
    public static ReconstructionScore evaluate(double[] candidates, double[] x, double[] outputs, double[] signs, double m,
                                               double epsilon, double marginSlack, double lo, double hi) {
        int hits = 0;
        for (double c : candidates) if (nearest(x, c) <= epsilon) hits++;
        int onMargin = 0, found = 0;
        for (int i = 0; i < x.length; i++) {
            if (signs[i] * outputs[i] <= (1 + marginSlack) * m) {
                onMargin++;
                if (nearest(candidates, x[i]) <= epsilon) found++;
            }
        }
        return new ReconstructionScore(candidates.length, hits, candidates.length == 0 ? Double.NaN : (double) hits / candidates.length,
                onMargin, found, onMargin == 0 ? Double.NaN : (double) found / onMargin, coverage(x, epsilon, lo, hi));
    }

    private static double nearest(double[] points, double x) {
        double best = Double.POSITIVE_INFINITY;
        for (double p : points) best = Math.min(best, Math.abs(p - x));
        return best;
    }

    /** |[lo, hi] ∩ ∪_i [x_i − ε, x_i + ε]| / (hi − lo). */
    static double coverage(double[] x, double epsilon, double lo, double hi) {
        if (!(hi > lo)) return Double.NaN;
        double[] s = x.clone();
        java.util.Arrays.sort(s);
        double covered = 0, reach = Double.NEGATIVE_INFINITY;
        for (double p : s) {
            double a = Math.max(lo, Math.max(p - epsilon, reach)), b = Math.min(hi, p + epsilon);
            if (b > a) covered += b - a;
            reach = Math.max(reach, p + epsilon);
        }
        return covered / (hi - lo);
    }
}
