package org.imprint.optim;

import java.util.List;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * GaLore (Zhao et al., ICML 2024, arXiv:2403.03507; github.com/jiaweizzhao/GaLore): Adam run inside a low-rank
 * projection of each 2-D weight's gradient. For the p×q view G of the gradient ({@link ProjectionSide}):
 * <pre>
 *   every T steps (t mod T = 0):  Q ← top-r left singular basis of G       (p×r, {@link Subspace})
 *   R ← Qᵀ·G                                                              (r×q)
 *   m ← β₁·m + (1 − β₁)·R;   v ← β₂·v + (1 − β₂)·R²;   t ← t + 1
 *   N ← m̂ / (√v̂ + ε)         (bias-corrected, as Adam)
 *   θ ← θ·(1 − η·λ) − η·α·Q·N
 * </pre>
 * As in GaLore's code the Adam moments are <em>not</em> transported when Q changes (GaLore issue #54; this is
 * what SUMO's Block 1.1 fixes). Defaults (GaLore's C4 protocol): r = 128 capped at min(m, n), T = 200, α = 0.25,
 * β = (0.9, 0.999), ε = 1e-6, λ = 0. State: Q (p·r) and two r×q moments, float64.
 */
public final class GaLore extends Optimizer {
    private final int rank, updateGap;
    private final double scale, beta1, beta2, eps, weightDecay;
    private final ProjectionSide side;
    private final Subspace.Method method;
    private final long seed;

    public GaLore(List<Tensor> params, double lr, int rank, int updateGap, double scale, double beta1, double beta2,
                  double eps, double weightDecay, ProjectionSide side, Subspace.Method method, long seed) {
        super(List.of(new ParamGroup(params, lr)));
        requireMatrices("GaLore", params);
        requirePositive("rank", rank);
        requirePositive("update gap (subspace period)", updateGap);
        requirePositive("GaLore scale", scale);
        requireInRange("beta1", beta1, 0, 1);
        requireInRange("beta2", beta2, 0, 1);
        requirePositive("epsilon", eps);
        requireNonNegative("weight decay", weightDecay);
        if (side == null || method == null) throw new IllegalArgumentException("projection side and subspace method must be given");
        this.rank = rank;
        this.updateGap = updateGap;
        this.scale = scale;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.side = side;
        this.method = method;
        this.seed = seed;
    }

    @Override
    protected void update(Tensor param, Tensor grad, double lr, Map<String, Tensor> state) {
        int m = param.dim(0), n = param.dim(1);
        boolean transposed = side.transposed(m, n);
        int p = transposed ? n : m, q = transposed ? m : n, r = Math.min(rank, Math.min(p, q));
        double[] g = MatrixUpdate.view(grad.toDoubleArray(), m, n, transposed);
        if (!Matrices.allFinite(g)) throw new IllegalStateException("GaLore: non-finite gradient in a " + m + "x" + n + " weight");
        long t = counter(state, "step");
        if (t % updateGap == 0) {
            double[] basis = method == Subspace.Method.EXACT ? Subspace.exact(g, p, q, r)
                    : Subspace.randomized(g, p, q, r, 8, 1, new Rng(seed + t));
            state.put("basis", Tensor.of(basis, p, r));
        }
        setCounter(state, "step", t + 1);
        double[] basis = state.get("basis").doubleData();
        double[] low = Matrices.multiply(basis, true, g, false, r, q, p);
        double[] mom = state.computeIfAbsent("exp_avg", k -> Tensor.zeros(DType.F64, r, q)).doubleData();
        double[] vel = state.computeIfAbsent("exp_avg_sq", k -> Tensor.zeros(DType.F64, r, q)).doubleData();
        double bc1 = 1 - Math.pow(beta1, t + 1), bc2 = 1 - Math.pow(beta2, t + 1);
        double[] normalized = new double[low.length];
        for (int i = 0; i < low.length; i++) {
            mom[i] = beta1 * mom[i] + (1 - beta1) * low[i];
            vel[i] = beta2 * vel[i] + (1 - beta2) * low[i] * low[i];
            normalized[i] = (mom[i] / bc1) / (Math.sqrt(vel[i] / bc2) + eps);
        }
        double[] back = Matrices.multiply(basis, false, normalized, false, p, q, r);
        for (int i = 0; i < back.length; i++) back[i] *= scale;
        MatrixUpdate.apply(param, MatrixUpdate.view(back, p, q, transposed), lr, weightDecay);
    }
}
