package org.imprint.tensor;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The composite the reconstruction attack differentiates (Haim et al. 2022): for a 3-layer MLP f(θ; x),
 * L(X, c) = ‖θ − Σ_j c_j ∇_θ f(θ; x_j)‖², differentiated with respect to every x_j and c_j by double
 * backprop, checked against central finite differences, with the exact and the smoothed ReLU.
 *
 * <p>The smoothed ReLU (exact forward, derivative σ(αz)) is by design not the derivative of its own forward,
 * so finite differences of L in x cannot match it. Its backward rule is shared with softplus_α, whose true
 * derivative σ(αz) is: the x-check runs the composite with softplus_α and so verifies the rule through both
 * passes; the c-check (c does not touch the forward activations) runs the smoothed ReLU itself.
 */
class AttackCompositeTest {
    private static final int D = 5, H1 = 6, H2 = 4, M = 3;

    private static List<Tensor> theta() {
        Rng rng = new Rng(7);
        List<Tensor> p = new ArrayList<>();
        p.add(Tensor.uniform(DType.F64, rng, -0.8, 0.8, D, H1));  // W1
        p.add(Tensor.uniform(DType.F64, rng, -0.3, 0.3, H1));     // b1 (bias in the first layer only)
        p.add(Tensor.uniform(DType.F64, rng, -0.8, 0.8, H1, H2)); // W2
        p.add(Tensor.uniform(DType.F64, rng, -0.8, 0.8, H2, 1));  // W3
        for (Tensor t : p) t.requiresGrad(true);
        return p;
    }

    private enum Act { RELU, SMOOTH_RELU, SOFTPLUS }

    private static Tensor act(Tensor z, Act act) {
        return switch (act) {
            case RELU -> z.relu();
            case SMOOTH_RELU -> z.smoothRelu(ALPHA);
            case SOFTPLUS -> z.softplus(ALPHA);
        };
    }

    private static final double ALPHA = 5.0;

    /** L(X, c) with the given activation in every hidden layer. */
    private static Tensor attackLoss(Tensor x, Tensor c, List<Tensor> theta, Act act) {
        Tensor h1 = act(x.matmul(theta.get(0)).add(theta.get(1)), act);
        Tensor h2 = act(h1.matmul(theta.get(2)), act);
        Tensor f = h2.matmul(theta.get(3)).reshape(-1);                  // (M)
        List<Tensor> g = Autograd.grad(f.mul(c).sum(), theta, true);     // Σ_j c_j ∇_θ f(x_j)
        Tensor loss = Tensor.scalar(0);
        for (int k = 0; k < theta.size(); k++) loss = loss.add(theta.get(k).sub(g.get(k)).square().sum());
        return loss;
    }

    private static final Tensor X = GradCheck.rand(60, -1, 1, M, D);
    private static final Tensor C = GradCheck.rand(61, 0.2, 1.5, M);

    @Test void exactReluInXAndC() {
        List<Tensor> theta = theta();
        GradCheck.first(v -> attackLoss(v.get(0), v.get(1), theta, Act.RELU), X, C);
    }

    @Test void smoothedReluRuleInXAndC() {
        List<Tensor> theta = theta();
        GradCheck.first(v -> attackLoss(v.get(0), v.get(1), theta, Act.SOFTPLUS), X, C);
    }

    @Test void smoothedReluInC() {
        List<Tensor> theta = theta();
        GradCheck.first(v -> attackLoss(X, v.get(0), theta, Act.SMOOTH_RELU), C);
    }
}
