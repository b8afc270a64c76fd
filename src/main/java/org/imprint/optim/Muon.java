package org.imprint.optim;

import java.util.List;
import java.util.Map;
import org.imprint.tensor.Tensor;

/**
 * Muon (Keller Jordan 2024, github.com/KellerJordan/Muon; torch.optim.Muon) for 2-D hidden weight matrices:
 * <pre>
 *   B ← μ·B + G                                   (momentum buffer, kept)
 *   X ← G + μ·B  if Nesterov, else B              (the buffer is never overwritten by X)
 *   O ← NS5(X)                                    (five quintic Newton–Schulz steps, {@link NewtonSchulz})
 *   θ ← θ·(1 − η·λ) − η·s(m, n)·O                 (s: {@link UpdateScale}, MUON or MOONLIGHT)
 * </pre>
 * Defaults: η = 0.02, μ = 0.95, Nesterov on, λ = 0, 5 steps, scale MUON. Embeddings, the output head, norms and
 * biases belong in AdamW ({@link CompositeOptimizer}); the constructor rejects non-matrices. State: the buffer
 * (m·n floats, float64).
 */
public final class Muon extends Optimizer {
    private final double momentum, weightDecay;
    private final boolean nesterov;
    private final int steps;
    private final UpdateScale scale;

    public Muon(List<Tensor> params, double lr, double momentum, boolean nesterov, double weightDecay, int steps, UpdateScale scale) {
        super(List.of(new ParamGroup(params, lr)));
        requireMatrices("Muon", params);
        requireInRange("momentum", momentum, 0, 1);
        requireNonNegative("weight decay", weightDecay);
        requirePositive("Newton-Schulz steps", steps);
        if (scale == null) throw new IllegalArgumentException("update scale should be none, muon or moonlight but is: null");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.steps = steps;
        this.scale = scale;
    }

    @Override
    protected void update(Tensor p, Tensor grad, double lr, Map<String, Tensor> state) {
        int m = p.dim(0), n = p.dim(1);
        double[] g = grad.toDoubleArray();
        double[] buf = state.computeIfAbsent("momentum_buffer", k -> Tensor.zeros(org.imprint.tensor.DType.F64, m, n)).doubleData();
        double[] x = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            buf[i] = momentum * buf[i] + g[i];
            x[i] = nesterov ? g[i] + momentum * buf[i] : buf[i];
        }
        double[] o = NewtonSchulz.quintic(x, m, n, steps);
        double s = scale.factor(m, n);
        for (int i = 0; i < o.length; i++) o[i] *= s;
        MatrixUpdate.apply(p, o, lr, weightDecay);
    }
}
