package org.imprint.optim;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * SUMO, Subspace-Aware Moment-Orthogonalization (Refael, Smorodinsky, Tirer, Lindenbaum, NeurIPS 2025,
 * arXiv:2505.24749), Algorithm 1, for 2-D hidden weight matrices. For the p×q view G of the gradient
 * ({@link ProjectionSide}), step t (from 0), rank r, period K, momentum μ, growth limit γ, scale α, weight decay λ:
 * <pre>
 *   Block 1   if t mod K = 0:  Q_t ← top-r left singular basis of G        (exact or randomized SVD, {@link Subspace})
 *   Block 1.1     and t ≥ 1:   M ← (Q_tᵀ·Q_{t−1})·M                        (moment transport into the new subspace)
 *   Ĝ ← Q_tᵀ·G                                                            (r×q)
 *   Block 2   M ← μ·M + Ĝ                                                  (a plain sum, not an EMA)
 *             O ← Orth(M)  or, with Nesterov, Orth(Ĝ + μ·M), M kept        ({@link PolarFactor}: exact U·Vᵀ; or NS5)
 *   Block 3   if ‖O‖_F / ‖O_prev‖_F &gt; γ:  O ← O·γ·‖O_prev‖_F / ‖O‖_F         (norm-growth limiter, optional)
 *   Block 4   θ ← θ − η·λ·θ − η·α·(G_⊥ + ρ·Q_t·O),   G_⊥ = G − Q_t·Ĝ = (I − Q_tQ_tᵀ)·G
 * </pre>
 * ρ = {@link UpdateScale#factor} of the weight's shape (MOONLIGHT: 0.2·√max(m, n), as SUMO's code). With α = 1 and
 * ρ = 1 this is the paper's W ← W − η(G − Q(Ĝ − O)) − ηλW.
 *
 * <p>Deliberately <em>not</em> copied from the public code (sumo.md §6): its moment transport is never applied
 * (here it is, unless switched off for ablation), its Nesterov variant overwrites the buffer with Ĝ + μ·M (here
 * the buffer keeps μ·M + Ĝ), and its AdamW fallback runs at a hard-wired 1e-5 (see {@link Optimizers}).
 *
 * <p>Defaults (the code's where the paper is silent): r = 8 capped at min(m, n), K = 200, μ = 0.95, γ = 1.1,
 * α = 1, ρ MOONLIGHT, λ = 0, no Nesterov, exact SVD subspace, exact polar factor, transport and G_⊥ on.
 * State per matrix: Q (p·r), M (r·q) and two scalars, float64: r·(m + n) floats.
 */
public final class Sumo extends Optimizer {
    /** How the moment is orthogonalised. */
    public enum Orthogonalizer {
        /** The exact polar factor U·Vᵀ (SUMO-SVD). */
        SVD,
        /** Five steps of Muon's quintic Newton–Schulz (SUMO-NS5). */
        NS5;

        public static Orthogonalizer parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "svd", "exact" -> SVD;
                case "ns5", "newton-schulz" -> NS5;
                default -> throw new IllegalArgumentException("orthogonalizer should be svd or ns5 but is: " + s);
            };
        }
    }

    /** Every hyperparameter but the learning rate. */
    public record Config(int rank, int updateGap, double momentum, boolean nesterov, double growthLimit, double scale,
                         UpdateScale updateScale, double weightDecay, Orthogonalizer orthogonalizer, Subspace.Method subspace,
                         int oversampling, int powerIterations, boolean momentTransport, boolean orthogonalComplement,
                         ProjectionSide side, long seed) {
        /** The defaults listed in the class documentation. */
        public static Config defaults() {
            return new Config(8, 200, 0.95, false, 1.1, 1.0, UpdateScale.MOONLIGHT, 0.0, Orthogonalizer.SVD,
                    Subspace.Method.EXACT, 8, 1, true, true, ProjectionSide.SHORTER, 0);
        }
    }

    /**
     * Receives what a SUMO step computed, for experiments (moment spectra, step-time breakdowns); may be null.
     * Times are in nanoseconds; {@code refreshNanos} is 0 on steps that keep the subspace.
     */
    public interface Probe {
        void onStep(Tensor param, double[] moment, int r, int q, long refreshNanos, long projectNanos, long orthNanos, long backNanos);
    }

    private final Config c;
    private Probe probe;

    public Sumo(List<Tensor> params, double lr, Config config) {
        super(List.of(new ParamGroup(params, lr)));
        requireMatrices("SUMO", params);
        requirePositive("rank", config.rank());
        requirePositive("update gap (subspace period K)", config.updateGap());
        requireInRange("momentum", config.momentum(), 0, 1);
        if (!(config.growthLimit() == 0 || (config.growthLimit() >= 1 && Double.isFinite(config.growthLimit())))) {
            throw new IllegalArgumentException("growth limit should be 0 (off) or >= 1 but is: " + config.growthLimit());
        }
        requirePositive("scale alpha", config.scale());
        requireNonNegative("weight decay", config.weightDecay());
        if (config.oversampling() < 0) throw new IllegalArgumentException("oversampling should be >= 0 but is: " + config.oversampling());
        if (config.powerIterations() < 0) throw new IllegalArgumentException("power iterations should be >= 0 but is: " + config.powerIterations());
        if (config.updateScale() == null || config.orthogonalizer() == null || config.subspace() == null || config.side() == null) {
            throw new IllegalArgumentException("SUMO config has a null choice: " + config);
        }
        this.c = config;
    }

    public Config config() { return c; }

    public void setProbe(Probe probe) { this.probe = probe; }

    @Override
    protected void update(Tensor param, Tensor grad, double lr, Map<String, Tensor> state) {
        int m = param.dim(0), n = param.dim(1);
        boolean transposed = c.side().transposed(m, n);
        int p = transposed ? n : m, q = transposed ? m : n, r = Math.min(c.rank(), Math.min(p, q));
        double[] g = MatrixUpdate.view(grad.toDoubleArray(), m, n, transposed);
        if (!Matrices.allFinite(g)) throw new IllegalStateException("SUMO: non-finite gradient in a " + m + "x" + n + " weight");
        long t = counter(state, "step");
        double[] moment = state.computeIfAbsent("moment", k -> Tensor.zeros(DType.F64, r, q)).doubleData();

        long t0 = System.nanoTime();
        if (t % c.updateGap() == 0) {                                                    // Block 1
            double[] fresh = c.subspace() == Subspace.Method.EXACT ? Subspace.exact(g, p, q, r)
                    : Subspace.randomized(g, p, q, r, c.oversampling(), c.powerIterations(), new Rng(c.seed() + t));
            Tensor old = state.get("basis");
            if (old != null && c.momentTransport()) {                                   // Block 1.1
                double[] rotation = Matrices.multiply(fresh, true, old.doubleData(), false, r, r, p);
                System.arraycopy(Matrices.multiply(rotation, false, moment, false, r, q, r), 0, moment, 0, moment.length);
            }
            state.put("basis", Tensor.of(fresh, p, r));
        }
        long t1 = System.nanoTime();
        setCounter(state, "step", t + 1);
        double[] basis = state.get("basis").doubleData();
        double[] low = Matrices.multiply(basis, true, g, false, r, q, p);                 // Ĝ = QᵀG
        long t2 = System.nanoTime();

        double[] input = new double[moment.length];                                      // Block 2
        for (int i = 0; i < moment.length; i++) {
            moment[i] = c.momentum() * moment[i] + low[i];
            input[i] = c.nesterov() ? low[i] + c.momentum() * moment[i] : moment[i];
        }
        double[] o = c.orthogonalizer() == Orthogonalizer.SVD ? PolarFactor.of(input, r, q) : NewtonSchulz.quintic(input, r, q, 5);
        if (c.growthLimit() > 0) {                                                       // Block 3
            double norm = Matrices.frobenius(o);
            Tensor prev = state.get("previous_norm");
            if (prev != null && prev.item() > 0 && norm / prev.item() > c.growthLimit()) {
                double shrink = c.growthLimit() * prev.item() / norm;
                for (int i = 0; i < o.length; i++) o[i] *= shrink;
                norm *= shrink;
            }
            setCounter(state, "previous_norm", norm);
        }
        long t3 = System.nanoTime();

        double rho = c.updateScale().factor(m, n);                                       // Block 4
        double[] inner = new double[o.length];                                           // ρ·O − Ĝ (or ρ·O without G_⊥)
        for (int i = 0; i < o.length; i++) inner[i] = rho * o[i] - (c.orthogonalComplement() ? low[i] : 0);
        double[] u = Matrices.multiply(basis, false, inner, false, p, q, r);             // Q(ρO − Ĝ)
        if (c.orthogonalComplement()) for (int i = 0; i < u.length; i++) u[i] += g[i];   // G_⊥ + ρQO
        for (int i = 0; i < u.length; i++) u[i] *= c.scale();
        MatrixUpdate.apply(param, MatrixUpdate.view(u, p, q, transposed), lr, c.weightDecay());
        long t4 = System.nanoTime();
        if (probe != null) probe.onStep(param, moment, r, q, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    }
}
