package org.imprint.attacks.reconstruction;

import org.imprint.tensor.Rng;

/**
 * The ranges Haim et al. sweep (reconstruction.md §2): lr_x ~ logU[1e-5, 1], σ_x ~ logU[1e-6, 0.1],
 * λ_min ~ U[0.01, 0.5], α ~ U[10, 500]. A fixed value (non-NaN) replaces the draw for that knob.
 */
public record SearchSpace(double lrXLo, double lrXHi, double sigmaXLo, double sigmaXHi, double lambdaMinLo,
                          double lambdaMinHi, double alphaLo, double alphaHi,
                          double fixedLrX, double fixedSigmaX, double fixedLambdaMin, double fixedAlpha) {
    public static SearchSpace papers() {
        return new SearchSpace(1e-5, 1, 1e-6, 0.1, 0.01, 0.5, 10, 500, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The same space with other ranges (lo, hi) for the four knobs; fixed values are kept. */
    public SearchSpace withRanges(double[] lrX, double[] sigmaX, double[] lambdaMin, double[] alpha) {
        return new SearchSpace(lrX[0], lrX[1], sigmaX[0], sigmaX[1], lambdaMin[0], lambdaMin[1], alpha[0], alpha[1],
                fixedLrX, fixedSigmaX, fixedLambdaMin, fixedAlpha);
    }

    public SearchSpace withFixed(double lrX, double sigmaX, double lambdaMin, double alpha) {
        return new SearchSpace(lrXLo, lrXHi, sigmaXLo, sigmaXHi, lambdaMinLo, lambdaMinHi, alphaLo, alphaHi, lrX, sigmaX, lambdaMin, alpha);
    }

    private static double logUniform(Rng rng, double lo, double hi) {
        return Math.exp(Math.log(lo) + rng.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    private static double uniform(Rng rng, double lo, double hi) {
        return lo + rng.nextDouble() * (hi - lo);
    }

    /** Draws one configuration (the four knobs, in a fixed order) on top of {@code base}; its seed is drawn too. */
    public AttackConfig sample(AttackConfig base, Rng rng) {
        double lrX = logUniform(rng, lrXLo, lrXHi), sigma = logUniform(rng, sigmaXLo, sigmaXHi);
        double lmin = uniform(rng, lambdaMinLo, lambdaMinHi), alpha = uniform(rng, alphaLo, alphaHi);
        long seed = rng.nextLong();
        return new AttackConfig(base.candidates(), Double.isNaN(fixedAlpha) ? alpha : fixedAlpha,
                Double.isNaN(fixedLrX) ? lrX : fixedLrX, base.lrLambda(), Double.isNaN(fixedSigmaX) ? sigma : fixedSigmaX,
                Double.isNaN(fixedLambdaMin) ? lmin : fixedLambdaMin, base.iterations(), base.boxPrior(), base.boxLo(),
                base.boxHi(), base.variant(), seed, base.boxShift());
    }
}
