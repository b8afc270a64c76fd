package org.imprint.attacks.reconstruction;

import java.util.stream.IntStream;
import org.imprint.kernels.Blas;
import org.imprint.kernels.Branchless;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * The attack objective of {@link KktLoss} and its exact gradient with respect to the candidates X and the
 * multipliers λ, written out layer by layer for an MLP victim in float64 (llm.c style: preallocated buffers,
 * GEMMs and fused loops, no graph). Same value and gradient as {@code KktLoss} with the smoothed ReLU, which
 * a test checks to round-off on every variant but the naive baseline.
 *
 * <p>Why it is cheaper than double backprop: the per-sample gradient of an MLP is an outer product, so the
 * gradient the stationarity condition needs is a product of two activation matrices (Haim et al. 2022, eq. 5;
 * reconstruction.md §2). With a_0 = x, z_l = a_{l−1}W_lᵀ + b_l, a_l = relu(z_l), f = z_L and the attack's
 * derivative s_l = σ(α z_l) in place of relu'(z_l):
 * <pre>
 *   δ_L = U,  U_j = λ_j v_j / m         (v_j = y_j for binary, 1 for regression, e_{y_j} − e_{k*_j} multiclass)
 *   T_l = δ_{l+1} W_{l+1},  δ_l = T_l ∘ S_l                                    (l = L−1 … 1)
 *   G_{W_l} = δ_lᵀ A_{l−1},  G_{b_l} = 1ᵀ δ_l,   L_stat = Σ_l ‖W_l − G_{W_l}‖² + ‖b_l − G_{b_l}‖²
 * </pre>
 * Reverse mode through these few matrix products, with P_l = ∂L/∂G_{W_l} = 2(G_{W_l} − W_l) and p_l the bias's:
 * <pre>
 *   ∂L/∂δ_l  = A_{l−1} P_lᵀ + 1 p_lᵀ  +  (∂L/∂δ_{l−1} ∘ S_{l−1}) W_lᵀ           (upward, l = 1 … L)
 *   ∂L/∂S_l  = ∂L/∂δ_l ∘ T_l
 *   ∂L/∂A_{l−1} = δ_l P_l + ∂L/∂Z_l W_l,   ∂L/∂Z_l = ∂L/∂A_l ∘ S_l + ∂L/∂S_l ∘ α S_l(1 − S_l)   (downward)
 *   ∂L/∂X = ∂L/∂A_0,   ∂L/∂λ_j = (∂L/∂δ_L)_j · v_j / m
 * </pre>
 * Twelve large GEMMs for a 3-layer net (two forward, one for δ, two for G, two for ∂L/∂δ, one upward, four
 * downward), against the graph's generic double backward.
 *
 * <p>With fewer candidates than neurons (the papers' m = 2n against widths of 1000) a layer's residual is cheaper
 * in its Gram form, which never forms the (h_l, h_{l−1}) matrix G: with Z̃_l = A_{l−1}W_lᵀ (the forward's
 * pre-activation without its bias), K_δ = δ_lδ_lᵀ and K_A = A_{l−1}A_{l−1}ᵀ, both (m, m),
 * <pre>
 *   ‖W_l − G_{W_l}‖² = ‖W_l‖² − 2⟨δ_l, Z̃_l⟩ + ⟨K_δ, K_A⟩
 *   A_{l−1}P_lᵀ = 2 K_A δ_l − 2 Z̃_l,    δ_l P_l = 2 K_δ A_{l−1} − 2 δ_l W_l      (δ_l W_l = T_{l−1} for l ≥ 2)
 * </pre>
 * It costs 2m²(h_l + h_{l−1}) multiply-adds (plus m·h_1·d for δ_1W_1 on the first layer) instead of
 * 3m·h_l·h_{l−1}; each layer takes the cheaper form (for 784-1000-1000-1 at m = 200 the two wide layers do, which
 * cuts an iteration's multiply-adds from 2.4e9 to 1.5e9; at m = 1000 neither does).
 *
 * <p>The runner-up k* of the multiclass margin is piecewise constant in X (a subgradient, as in autograd's max).
 * As in the authors' code and {@code KktLoss}, every derivative through an activation is σ(αz), also the one of
 * the forward pass (∂A_l/∂Z_l = S_l), while the forward value stays exactly relu. Box prior and λ penalty as in {@code KktLoss}.
 *
 * <p>Not thread-safe: one instance per attack run (its buffers are sized for m candidates).
 */
public final class ExplicitKktLoss implements AttackObjective {
    private final Variant variant;
    private final int layers, m, outputs;
    private final int[] widths;
    private final double[][] weights, biases; // the victim's parameters (not modified)
    private final double alpha, lambdaMin, boxLo, boxHi;
    private final boolean boxPrior;
    private final double[] boxShift; // s per input coordinate, or null
    private final int[] labels;
    private final double[] direction; // v_j, (m, C)

    // Buffers, index l = 1 … L for layer l (index 0 unused except activations[0] = X during a call).
    private final double[][] activations; // A_l (m, h_l), hidden layers; output logits for l = L
    private final double[][] slopes;      // S_l = σ(α z_l)
    private final double[][] transported; // T_l = δ_{l+1} W_{l+1}
    private final double[][] slopeGrads;  // ∂L/∂S_l
    private final double[][] preActivations; // Z_l (with bias) of the layers in Gram form; Z_L is activations[L]
    private final double[][] deltas;      // δ_l
    private final double[][] deltaGrads;  // ∂L/∂δ_l, later E_l = ∂L/∂δ_l ∘ S_l
    private final double[][] activationGrads; // ∂L/∂A_l, later ∂L/∂Z_l
    private final double[][] weightResiduals; // G_{W_l}, later P_l (direct form only)
    private final double[][] biasResiduals;   // G_{b_l}, later p_l (null without a bias)
    private final boolean[] gram;             // layer l's residual in Gram form
    private final double[][] deltaGrams, inputGrams; // 2K_δ and 2K_A, (m, m), Gram-form layers
    private final double[] weightSquaredNorms;       // ‖W_l‖²

    private final double thetaSquaredNorm;
    private Tensor gradX, gradLambda; // reused by evaluateWithGradients

    /** Whether this path computes the attack for the victim and variant (float64, every variant but naive). */
    public static boolean supports(Mlp victim, AttackConfig config) {
        return victim.dtype() == DType.F64 && config.variant() != Variant.NAIVE;
    }

    /**
     * @param labels the candidates' labels (class ids; 0/1 for binary), one per candidate
     */
    public ExplicitKktLoss(Mlp victim, int[] labels, AttackConfig config) {
        this(victim, labels, config, null);
    }

    /** @param forceGram true/false puts every layer in Gram/direct form (tests); null picks the cheaper per layer */
    ExplicitKktLoss(Mlp victim, int[] labels, AttackConfig config, Boolean forceGram) {
        if (!supports(victim, config)) {
            throw new IllegalArgumentException("explicit attack gradient needs a float64 victim and a KKT variant, got "
                    + victim.dtype() + " / " + config.variant().id());
        }
        this.variant = config.variant();
        this.layers = victim.depth();
        this.widths = victim.widths();
        this.m = labels.length;
        this.outputs = widths[layers];
        if (variant == Variant.MULTICLASS && outputs < 2) throw new IllegalArgumentException("multiclass variant needs >= 2 outputs");
        if (variant != Variant.MULTICLASS && outputs != 1) {
            throw new IllegalArgumentException(variant.id() + " variant needs one output, the victim has " + outputs);
        }
        this.alpha = config.alpha();
        this.lambdaMin = config.lambdaMin();
        this.boxPrior = config.boxPrior();
        this.boxLo = config.boxLo();
        this.boxHi = config.boxHi();
        this.boxShift = config.boxShift() == null ? null : config.boxShift().clone();
        if (boxShift != null && boxShift.length != widths[0]) {
            throw new IllegalArgumentException("box shift has " + boxShift.length + " values for " + widths[0] + " inputs");
        }
        this.labels = labels.clone();
        double norm = victim.parameterNorm();
        this.thetaSquaredNorm = norm * norm;
        this.direction = new double[m * outputs];
        if (variant != Variant.MULTICLASS) {
            for (int j = 0; j < m; j++) direction[j] = variant == Variant.REGRESSION ? 1 : labels[j] == 1 ? 1 : -1;
        }
        weights = new double[layers + 1][];
        biases = new double[layers + 1][];
        activations = new double[layers + 1][];
        slopes = new double[layers][];
        transported = new double[layers][];
        slopeGrads = new double[layers][];
        preActivations = new double[layers + 1][];
        gram = new boolean[layers + 1];
        deltaGrams = new double[layers + 1][];
        inputGrams = new double[layers + 1][];
        weightSquaredNorms = new double[layers + 1];
        deltas = new double[layers + 1][];
        deltaGrads = new double[layers + 1][];
        activationGrads = new double[layers][];
        weightResiduals = new double[layers + 1][];
        biasResiduals = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            weights[l] = victim.weight(l - 1).doubleData();
            biases[l] = victim.bias(l - 1) == null ? null : victim.bias(l - 1).doubleData();
            int h = widths[l];
            activations[l] = new double[m * h];
            deltas[l] = new double[m * h];
            deltaGrads[l] = new double[m * h];
            gram[l] = forceGram != null ? forceGram : gramIsCheaper(m, h, widths[l - 1], l == 1);
            if (gram[l]) {
                deltaGrams[l] = new double[m * m];
                inputGrams[l] = new double[m * m];
                if (l < layers) preActivations[l] = new double[m * h];
                for (double w : weights[l]) weightSquaredNorms[l] += w * w;
            } else {
                weightResiduals[l] = new double[h * widths[l - 1]];
            }
            if (biases[l] != null) biasResiduals[l] = new double[h];
            if (l < layers) {
                slopes[l] = new double[m * h];
                transported[l] = new double[m * h];
                slopeGrads[l] = new double[m * h];
                activationGrads[l] = new double[m * h];
            }
        }
    }

    /**
     * Whether a layer's residual costs fewer multiply-adds in Gram form, 2m²(h + h_in) (+ m·h·h_in for δ_1W_1 on
     * the first layer, which deeper layers get from T), than directly, 3m·h·h_in.
     */
    static boolean gramIsCheaper(int m, int h, int hIn, boolean firstLayer) {
        double direct = 3.0 * m * h * hIn;
        double gramCost = 2.0 * m * m * (h + (double) hIn) + (firstLayer ? (double) m * h * hIn : 0);
        return gramCost < direct;
    }

    @Override
    public double thetaSquaredNorm() {
        return thetaSquaredNorm;
    }

    @Override
    public Value evaluateWithGradients(Tensor x, Tensor lambda) {
        if (gradX == null) {
            gradX = Tensor.zeros(DType.F64, m, widths[0]);
            gradLambda = Tensor.zeros(DType.F64, m);
        }
        Value v = evaluate(x.doubleData(), lambda.doubleData(), gradX.doubleData(), gradLambda.doubleData());
        x.setGrad(gradX);
        lambda.setGrad(gradLambda);
        return v;
    }

    /**
     * The loss at (X, λ), writing ∂L/∂X into {@code gradX} and ∂L/∂λ into {@code gradLambda} (overwritten).
     *
     * @param x (m, d) row-major, not modified @param lambda (m), not modified
     */
    public Value evaluate(double[] x, double[] lambda, double[] gradX, double[] gradLambda) {
        int d = widths[0];
        if (x.length != m * d || lambda.length != m || gradX.length != m * d || gradLambda.length != m) {
            throw new IllegalArgumentException("expected x (" + m + ", " + d + ") and lambda (" + m + ")");
        }
        activations[0] = x;
        forward();
        double[] seeds = deltas[layers];
        seed(lambda, seeds);
        for (int l = layers - 1; l >= 1; l--) { // T_l = δ_{l+1} W_{l+1}, δ_l = T_l ∘ S_l
            gemm(false, false, m, widths[l], widths[l + 1], deltas[l + 1], weights[l + 1], 0, transported[l]);
            multiply(transported[l], slopes[l], deltas[l]);
        }
        double stationarity = 0;
        for (int l = 1; l <= layers; l++) stationarity += residual(l);
        // Upward: ∂L/∂δ_l = A_{l−1} P_lᵀ + 1 p_lᵀ + E_{l−1} W_lᵀ, then ∂L/∂S_l and E_l.
        for (int l = 1; l <= layers; l++) {
            int h = widths[l];
            double[] gd = deltaGrads[l];
            if (gram[l]) {
                gramDeltaGrad(l);
            } else {
                if (biasResiduals[l] != null) fillRows(gd, biasResiduals[l], h);
                gemm(false, true, m, h, widths[l - 1], activations[l - 1], weightResiduals[l], biasResiduals[l] != null ? 1 : 0, gd);
            }
            if (l > 1) gemm(false, true, m, h, widths[l - 1], deltaGrads[l - 1], weights[l], 1, gd);
            if (l < layers) slopeGradAndCarry(l);
        }
        // ∂L/∂λ_j = (∂L/∂δ_L)_j · v_j / m, plus the λ_min penalty 5·Σ relu(λ_min − λ_j)².
        double penalty = 0;
        double[] gu = deltaGrads[layers];
        for (int j = 0; j < m; j++) {
            double dot = 0;
            for (int k = 0; k < outputs; k++) dot += gu[j * outputs + k] * direction[j * outputs + k];
            double g = dot / m;
            if (variant != Variant.REGRESSION) {
                double gap = lambdaMin - lambda[j];
                if (gap > 0) {
                    penalty += gap * gap;
                    g -= 10 * gap;
                }
            }
            gradLambda[j] = g;
        }
        penalty *= 5;
        // Downward: ∂L/∂A_{l−1} = δ_l P_l + ∂L/∂Z_l W_l, with ∂L/∂Z_L = 0.
        for (int l = layers; l >= 1; l--) {
            double[] target = l == 1 ? gradX : activationGrads[l - 1];
            int hIn = widths[l - 1];
            if (gram[l]) {
                gramInputGrad(l, target);
            } else {
                gemm(false, false, m, hIn, widths[l], deltas[l], weightResiduals[l], 0, target);
            }
            if (l < layers) gemm(false, false, m, hIn, widths[l], activationGrads[l], weights[l], 1, target);
            if (l > 1) preActivationGrad(l - 1);
        }
        double prior = boxPrior ? boxPrior(x, gradX) : 0;
        activations[0] = null;
        return new Value(stationarity + prior + penalty, stationarity, prior, penalty);
    }

    /** Z_l = A_{l−1} W_lᵀ + b_l; hidden layers keep S_l = σ(α z_l) and A_l = relu(z_l). */
    private void forward() {
        for (int l = 1; l <= layers; l++) {
            int h = widths[l];
            double[] z = activations[l];
            if (biases[l] != null) fillRows(z, biases[l], h);
            gemm(false, true, m, h, widths[l - 1], activations[l - 1], weights[l], biases[l] != null ? 1 : 0, z);
            if (l == layers) break;
            double[] s = slopes[l], pre = preActivations[l];
            double a = alpha;
            parallelRows(m, h, (lo, hi) -> {
                if (pre != null) System.arraycopy(z, lo, pre, lo, hi - lo);
                for (int i = lo; i < hi; i++) {
                    double v = z[i];
                    s[i] = Branchless.sigmoid(a * v);
                    z[i] = Math.max(v, 0.0);
                }
            });
        }
    }

    /** δ_L = U: U_j = λ_j v_j / m, with v_j = e_{y_j} − e_{k*_j} for multiclass (k* the runner-up). */
    private void seed(double[] lambda, double[] seeds) {
        double[] f = activations[layers];
        for (int j = 0; j < m; j++) {
            if (variant == Variant.MULTICLASS) {
                int own = labels[j], best = -1;
                for (int k = 0; k < outputs; k++) {
                    if (k != own && (best < 0 || f[j * outputs + k] > f[j * outputs + best])) best = k;
                }
                for (int k = 0; k < outputs; k++) direction[j * outputs + k] = k == own ? 1 : k == best ? -1 : 0;
            }
            for (int k = 0; k < outputs; k++) seeds[j * outputs + k] = lambda[j] * direction[j * outputs + k] / m;
        }
    }

    /**
     * G_{W_l} = δ_lᵀ A_{l−1}, G_{b_l} = 1ᵀδ_l; returns ‖W_l − G‖² + ‖b_l − G_b‖² and leaves P_l = 2(G − W) in place
     * (direct form) or 2K_δ and 2K_A (Gram form), and p_l = 2(G_b − b).
     */
    private double residual(int l) {
        int h = widths[l], hIn = widths[l - 1];
        double sum;
        if (gram[l]) {
            sum = gramResidual(l);
        } else {
            double[] g = weightResiduals[l], w = weights[l];
            gemm(true, false, h, hIn, m, deltas[l], activations[l - 1], 0, g);
            sum = squaredResidual(w, g);
        }
        if (biases[l] != null) {
            double[] gb = biasResiduals[l], delta = deltas[l];
            java.util.Arrays.fill(gb, 0);
            for (int j = 0; j < m; j++) for (int k = 0; k < h; k++) gb[k] += delta[j * h + k];
            sum += squaredResidual(biases[l], gb);
        }
        return sum;
    }

    /** Z_l with its bias: kept by the forward pass for hidden layers, the logits for the last. */
    private double[] preActivation(int l) {
        return l == layers ? activations[layers] : preActivations[l];
    }

    /**
     * ‖W_l − G‖² = ‖W_l‖² − 2⟨δ_l, Z̃_l⟩ + ⟨K_δ, K_A⟩ with Z̃_l = Z_l − 1b_lᵀ; leaves 2K_δ and 2K_A in their buffers.
     */
    private double gramResidual(int l) {
        int h = widths[l], hIn = widths[l - 1];
        double[] kd = deltaGrams[l], ka = inputGrams[l], delta = deltas[l], z = preActivation(l), b = biases[l];
        gemm(false, true, m, m, h, delta, delta, 0, kd);
        gemm(false, true, m, m, hIn, activations[l - 1], activations[l - 1], 0, ka);
        double cross = 0;
        for (int j = 0; j < m; j++) {
            for (int k = 0, o = j * h; k < h; k++) cross += delta[o + k] * (b == null ? z[o + k] : z[o + k] - b[k]);
        }
        double gramDot = 0;
        for (int i = 0; i < m * m; i++) {
            gramDot += kd[i] * ka[i];
            kd[i] *= 2;
            ka[i] *= 2;
        }
        return weightSquaredNorms[l] - 2 * cross + gramDot;
    }

    /** Gram form of ∂L/∂δ_l's residual part, A_{l−1}P_lᵀ + 1p_lᵀ = 2K_Aδ_l − 2Z̃_l + 1p_lᵀ, into ∂L/∂δ_l. */
    private void gramDeltaGrad(int l) {
        int h = widths[l];
        double[] gd = deltaGrads[l], z = preActivation(l), b = biases[l], p = biasResiduals[l];
        for (int j = 0; j < m; j++) {
            for (int k = 0, o = j * h; k < h; k++) {
                // −2(z − b) + p  (p = 2(G_b − b)), or −2z without a bias
                gd[o + k] = b == null ? -2 * z[o + k] : -2 * (z[o + k] - b[k]) + p[k];
            }
        }
        gemm(false, false, m, h, m, inputGrams[l], deltas[l], 1, gd);
    }

    /** Gram form of ∂L/∂A_{l−1}'s residual part, δ_l P_l = 2K_δ A_{l−1} − 2δ_l W_l, into {@code target}. */
    private void gramInputGrad(int l, double[] target) {
        int hIn = widths[l - 1];
        if (l == 1) {
            gemm(false, false, m, hIn, widths[1], deltas[1], weights[1], 0, target);
        } else {
            System.arraycopy(transported[l - 1], 0, target, 0, m * hIn); // T_{l−1} = δ_l W_l
        }
        for (int i = 0; i < m * hIn; i++) target[i] *= -2;
        gemm(false, false, m, hIn, m, deltaGrams[l], activations[l - 1], 1, target);
    }

    /** Σ (w − g)² in a fixed order (chunks of 4096 summed in turn), and g ← 2(g − w). */
    private static double squaredResidual(double[] w, double[] g) {
        int chunks = (g.length + 4095) / 4096;
        double[] partial = new double[chunks];
        parallel(chunks, g.length, (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                double s = 0;
                for (int i = c * 4096, end = Math.min(g.length, i + 4096); i < end; i++) {
                    double r = g[i] - w[i];
                    s += r * r;
                    g[i] = 2 * r;
                }
                partial[c] = s;
            }
        });
        double sum = 0;
        for (double p : partial) sum += p;
        return sum;
    }

    /** ∂L/∂S_l = ∂L/∂δ_l ∘ T_l and E_l = ∂L/∂δ_l ∘ S_l (in place). */
    private void slopeGradAndCarry(int l) {
        double[] gd = deltaGrads[l], t = transported[l], s = slopes[l], gs = slopeGrads[l];
        parallelRows(m, widths[l], (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double g = gd[i];
                gs[i] = g * t[i];
                gd[i] = g * s[i];
            }
        });
    }

    /** ∂L/∂Z_l = ∂L/∂A_l ∘ S_l + ∂L/∂S_l ∘ α S_l (1 − S_l), in ∂L/∂A_l's buffer. */
    private void preActivationGrad(int l) {
        double[] ga = activationGrads[l], gs = slopeGrads[l], s = slopes[l];
        double al = alpha;
        parallelRows(m, widths[l], (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double si = s[i];
                ga[i] = si * (ga[i] + gs[i] * al * (1 - si));
            }
        });
    }

    /** Σ relu(x + s − hi)² + relu(lo − x − s)², its gradient added to gradX. */
    private double boxPrior(double[] x, double[] gradX) {
        double sum = 0;
        int d = widths[0];
        for (int i = 0; i < x.length; i++) {
            double v = boxShift == null ? x[i] : x[i] + boxShift[i % d];
            if (v > boxHi) {
                double e = v - boxHi;
                sum += e * e;
                gradX[i] += 2 * e;
            } else if (v < boxLo) {
                double e = boxLo - v;
                sum += e * e;
                gradX[i] -= 2 * e;
            }
        }
        return sum;
    }

    private void multiply(double[] a, double[] b, double[] out) {
        parallelRows(m, out.length / m, (lo, hi) -> {
            for (int i = lo; i < hi; i++) out[i] = a[i] * b[i];
        });
    }

    private void fillRows(double[] target, double[] row, int h) {
        for (int j = 0; j < m; j++) System.arraycopy(row, 0, target, j * h, h);
    }

    /** C = op(A)·op(B) + beta·C on whole row-major matrices (leading dimensions from the shapes). */
    private static void gemm(boolean transA, boolean transB, int rows, int cols, int inner, double[] a, double[] b, double beta, double[] c) {
        Blas.dgemm(transA, transB, rows, cols, inner, 1.0, a, 0, transA ? rows : inner, b, 0, transB ? inner : cols, beta, c, 0, cols);
    }

    private interface Span {
        void run(int lo, int hi);
    }

    /**
     * Runs an elementwise body over the flat range of {@code rows × cols} elements, split by whole rows; each
     * element depends only on its own inputs, so the split does not change the result.
     */
    private static void parallelRows(int rows, int cols, Span body) {
        parallel(rows, (long) rows * cols, (lo, hi) -> body.run(lo * cols, hi * cols));
    }

    /** Runs {@code body} over [0, n) in up to Blas.threads() contiguous ranges when the work is large. */
    private static void parallel(int n, long elements, Span body) {
        int threads = (int) Math.min(Math.min(Blas.threads(), elements / (1 << 15)), n);
        if (threads <= 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, threads).parallel().forEach(c -> body.run((int) ((long) c * n / threads), (int) ((long) (c + 1) * n / threads)));
    }
}
