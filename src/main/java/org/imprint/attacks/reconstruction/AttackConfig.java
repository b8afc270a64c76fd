package org.imprint.attacks.reconstruction;

/**
 * Hyperparameters of one attack run (defaults and ranges from Haim et al.'s code, reconstruction.md §2).
 *
 * @param candidates  m, the number of candidates (default 2n)
 * @param alpha       α of the smoothed ReLU derivative σ(αz) (searched in U[10, 500])
 * @param lrX         learning rate of the candidates (searched in logU[1e-5, 1])
 * @param lrLambda    learning rate of the multipliers (1e-4)
 * @param sigmaX      initial candidates x_j ~ N(0, σ_x²) (searched in logU[1e-6, 0.1])
 * @param lambdaMin   λ_min of the penalty 5·Σ relu(λ_min − λ_j)² (searched in U[0.01, 0.5])
 * @param iterations  SGD steps (momentum 0.9 for both x and λ)
 * @param boxPrior    add Σ relu(x + s − hi)² + relu(lo − x − s)², by default with s = 0: Haim et al.'s box [−1, 1] on
 *                    the mean-subtracted pixels
 * @param seed        seed of the candidates' and multipliers' initialisation
 * @param boxShift    s per input coordinate (d values), or null for s = 0. With s = the training mean and [lo, hi] =
 *                    [0, 1] the box holds the images' own pixels in their range (Imprint's "pixel box", a tighter
 *                    prior than the papers' centred box; it needs the mean, which the papers' code also uses)
 */
public record AttackConfig(int candidates, double alpha, double lrX, double lrLambda, double sigmaX, double lambdaMin,
                           int iterations, boolean boxPrior, double boxLo, double boxHi, Variant variant, long seed,
                           @com.fasterxml.jackson.annotation.JsonIgnore double[] boxShift) {
    /** The papers' configuration: the box, if on, bounds the mean-subtracted inputs themselves. */
    public AttackConfig(int candidates, double alpha, double lrX, double lrLambda, double sigmaX, double lambdaMin,
                        int iterations, boolean boxPrior, double boxLo, double boxHi, Variant variant, long seed) {
        this(candidates, alpha, lrX, lrLambda, sigmaX, lambdaMin, iterations, boxPrior, boxLo, boxHi, variant, seed, null);
    }

    public AttackConfig {
        if (candidates < 1) throw new IllegalArgumentException("candidates should be >= 1 but is: " + candidates);
        if (!(alpha > 0)) throw new IllegalArgumentException("alpha should be > 0 but is: " + alpha);
        if (!(lrX >= 0) || !(lrLambda >= 0)) throw new IllegalArgumentException("learning rates should be >= 0 but are: " + lrX + ", " + lrLambda);
        if (!(sigmaX >= 0)) throw new IllegalArgumentException("sigma_x should be >= 0 but is: " + sigmaX);
        if (!(lambdaMin >= 0)) throw new IllegalArgumentException("lambda_min should be >= 0 but is: " + lambdaMin);
        if (iterations < 0) throw new IllegalArgumentException("iterations should be >= 0 but is: " + iterations);
        if (boxPrior && !(boxLo < boxHi)) throw new IllegalArgumentException("box prior needs lo < hi, got [" + boxLo + ", " + boxHi + "]");
    }

    /** A copy with another seed (for restarts of the same configuration). */
    public AttackConfig withSeed(long newSeed) {
        return new AttackConfig(candidates, alpha, lrX, lrLambda, sigmaX, lambdaMin, iterations, boxPrior, boxLo, boxHi, variant, newSeed, boxShift);
    }

    /** A copy whose box bounds x + shift (see {@code boxShift}); null restores the plain box. */
    public AttackConfig withBoxShift(double[] shift) {
        return new AttackConfig(candidates, alpha, lrX, lrLambda, sigmaX, lambdaMin, iterations, boxPrior, boxLo, boxHi, variant, seed,
                shift == null ? null : shift.clone());
    }

    /** Whether the box bounds x + shift rather than x. */
    public boolean boxShifted() {
        return boxShift != null;
    }
}
