package org.imprint.optim;

import java.util.List;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * Adam (Kingma &amp; Ba 2015, arXiv:1412.6980) and AdamW (Loshchilov &amp; Hutter 2019, arXiv:1711.05101), computed
 * as {@code torch.optim.Adam} / {@code torch.optim.AdamW} do:
 * <pre>
 *   t ← t + 1
 *   Adam:  g ← ∇ + λ·θ                 (L2 penalty folded into the gradient)
 *   AdamW: θ ← θ·(1 − η·λ)             (decoupled weight decay)
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Defaults (torch): β = (0.9, 0.999), ε = 1e-8; weight decay 0 for Adam and 1e-2 for AdamW. State per parameter:
 * {@code step}, {@code exp_avg}, {@code exp_avg_sq} (2 floats per weight), in the parameter's dtype.
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;

    /**
     * @param decoupled true for AdamW (θ ← θ(1 − ηλ)), false for Adam (g ← g + λθ)
     */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(List.of(new ParamGroup(params, lr)));
        requireInRange("beta1", beta1, 0, 1);
        requireInRange("beta2", beta2, 0, 1);
        requirePositive("epsilon", eps);
        requireNonNegative("weight decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** torch.optim.Adam defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay. */
    public static Adam adam(List<Tensor> params, double lr) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** torch.optim.AdamW defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 1e-2. */
    public static Adam adamW(List<Tensor> params, double lr) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, 1e-2, true);
    }

    public boolean decoupled() { return decoupled; }

    @Override
    protected void update(Tensor p, Tensor grad, double lr, Map<String, Tensor> state) {
        long t = counter(state, "step") + 1;
        setCounter(state, "step", t);
        Tensor m = state.computeIfAbsent("exp_avg", k -> Tensor.zeros(p.dtype(), p.shape()));
        Tensor v = state.computeIfAbsent("exp_avg_sq", k -> Tensor.zeros(p.dtype(), p.shape()));
        double bc1 = 1 - Math.pow(beta1, t), sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1, decay = decoupled ? 1 - lr * weightDecay : 1, l2 = decoupled ? 0 : weightDecay;
        if (p.dtype() == DType.F64) {
            double[] w = p.doubleData(), g = grad.doubleData(), md = m.doubleData(), vd = v.doubleData();
            for (int i = 0; i < w.length; i++) {
                double gi = g[i] + l2 * w[i];
                md[i] = beta1 * md[i] + (1 - beta1) * gi;
                vd[i] = beta2 * vd[i] + (1 - beta2) * gi * gi;
                w[i] = w[i] * decay - stepSize * md[i] / (Math.sqrt(vd[i]) / sqrtBc2 + eps);
            }
        } else {
            float[] w = p.floatData(), g = grad.floatData(), mf = m.floatData(), vf = v.floatData();
            for (int i = 0; i < w.length; i++) {
                double gi = g[i] + l2 * w[i];
                mf[i] = (float) (beta1 * mf[i] + (1 - beta1) * gi);
                vf[i] = (float) (beta2 * vf[i] + (1 - beta2) * gi * gi);
                w[i] = (float) (w[i] * decay - stepSize * mf[i] / (Math.sqrt(vf[i]) / sqrtBc2 + eps));
            }
        }
    }
}
