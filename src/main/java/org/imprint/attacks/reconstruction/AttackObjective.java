package org.imprint.attacks.reconstruction;

import org.imprint.tensor.Tensor;

/**
 * The attack's loss at (X, λ) together with its gradient, as {@link KktAttack} steps on it: {@link KktLoss} through
 * the autograd graph (any dtype, every variant) or {@link ExplicitKktLoss} by hand (float64, the KKT variants), which
 * compute the same numbers.
 */
public interface AttackObjective {
    /** The loss's terms at the point evaluated. */
    record Value(double total, double stationarity, double prior, double lambdaPenalty) {}

    /** The loss at (X, λ); ∂L/∂X and ∂L/∂λ are left in {@code x.grad()} and {@code lambda.grad()}. */
    Value evaluateWithGradients(Tensor x, Tensor lambda);

    /** ‖θ‖², to express the stationarity residual relative to the parameters. */
    double thetaSquaredNorm();

    /** The hand-written objective where it applies, the graph otherwise. */
    static AttackObjective of(org.imprint.models.Mlp victim, int[] labels, AttackConfig config) {
        return ExplicitKktLoss.supports(victim, config) ? new ExplicitKktLoss(victim, labels, config) : new KktLoss(victim, labels, config);
    }
}
