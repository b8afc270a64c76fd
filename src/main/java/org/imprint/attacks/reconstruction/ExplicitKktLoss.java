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
 * downward), against the graph's generic double backward. The runner-up k* of the multiclass margin is
 * piecewise constant in X (a subgradient, as in autograd's max). As in the authors' code and {@code KktLoss},
 * every derivative through an activation is σ(αz), also the one of the forward pass (∂A_l/∂Z_l = S_l), while
 * the forward value stays exactly relu. Box prior and λ penalty as in {@code KktLoss}.
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
    private final double[][] transported; // T_l = δ_{l+1} W_{l+1}, later ∂L/∂S_l
    private final double[][] deltas;      // δ_l
    private final double[][] deltaGrads;  // ∂L/∂δ_l, later E_l = ∂L/∂δ_l ∘ S_l
    private final double[][] activationGrads; // ∂L/∂A_l, later ∂L/∂Z_l
    private final double[][] weightResiduals; // G_{W_l}, later P_l
    private final double[][] biasResiduals;   // G_{b_l}, later p_l (null without a bias)

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
            weightResiduals[l] = new double[h * widths[l - 1]];
            if (biases[l] != null) biasResiduals[l] = new double[h];
            if (l < layers) {
                slopes[l] = new double[m * h];
                transported[l] = new double[m * h];
                activationGrads[l] = new double[m * h];
            }
        }
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
            if (biasResiduals[l] != null) fillRows(gd, biasResiduals[l], h);
            gemm(false, true, m, h, widths[l - 1], activations[l - 1], weightResiduals[l], biasResiduals[l] != null ? 1 : 0, gd);
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
            gemm(false, false, m, hIn, widths[l], deltas[l], weightResiduals[l], 0, target);
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
            double[] s = slopes[l];
            double a = alpha;
            parallelRows(m, h, (lo, hi) -> {
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

    /** G_{W_l} = δ_lᵀ A_{l−1}, G_{b_l} = 1ᵀδ_l; returns ‖W_l − G‖² + ‖b_l − G_b‖² and leaves P_l = 2(G − W) in place. */
    private double residual(int l) {
        int h = widths[l], hIn = widths[l - 1];
        double[] g = weightResiduals[l], w = weights[l];
        gemm(true, false, h, hIn, m, deltas[l], activations[l - 1], 0, g);
        double sum = squaredResidual(w, g);
        if (biases[l] != null) {
            double[] gb = biasResiduals[l], delta = deltas[l];
            java.util.Arrays.fill(gb, 0);
            for (int j = 0; j < m; j++) for (int k = 0; k < h; k++) gb[k] += delta[j * h + k];
            sum += squaredResidual(biases[l], gb);
        }
        return sum;
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

    /** ∂L/∂S_l = ∂L/∂δ_l ∘ T_l (into T_l's buffer) and E_l = ∂L/∂δ_l ∘ S_l (in place). */
    private void slopeGradAndCarry(int l) {
        double[] gd = deltaGrads[l], t = transported[l], s = slopes[l];
        parallelRows(m, widths[l], (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double g = gd[i];
                t[i] = g * t[i];
                gd[i] = g * s[i];
            }
        });
    }

    /** ∂L/∂Z_l = ∂L/∂A_l ∘ S_l + ∂L/∂S_l ∘ α S_l (1 − S_l), in ∂L/∂A_l's buffer. */
    private void preActivationGrad(int l) {
        double[] ga = activationGrads[l], gs = transported[l], s = slopes[l];
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
