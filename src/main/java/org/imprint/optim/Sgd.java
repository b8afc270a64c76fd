package org.imprint.optim;

import java.util.List;
import java.util.Map;
import org.imprint.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay, as
 * {@code torch.optim.SGD}:
 * <pre>
 *   g ← ∇ + λ·θ                         (weight decay λ)
 *   b ← μ·b + (1 − τ)·g                 (momentum μ, dampening τ; b₁ = g on the first step)
 *   g ← g + μ·b  if Nesterov, else b
 *   θ ← θ − η·g
 * </pre>
 * With μ = 0 and full batches this is plain gradient descent, the training of Haim et al. (2022).
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;

    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(List.of(new ParamGroup(params, lr)));
        requireInRange("momentum", momentum, 0, 1);
        requireInRange("dampening", dampening, 0, 1);
        requireNonNegative("weight decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Plain gradient descent θ ← θ − η∇. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    @Override
    protected void update(Tensor p, Tensor grad, double lr, Map<String, Tensor> state) {
        Tensor g = grad;
        if (weightDecay != 0) g = g.copy().axpy_(weightDecay, p);
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = g.copy();
                state.put("momentum_buffer", buf);
            } else {
                buf.scale_(momentum).axpy_(1 - dampening, g);
            }
            g = nesterov ? g.copy().axpy_(momentum, buf) : buf;
        }
        p.axpy_(-lr, g);
    }
}
