package org.imprint.analysis.kkt;

import java.util.ArrayList;
import java.util.List;
import org.imprint.io.BadInputException;
import org.imprint.kernels.Blas;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;

/**
 * The per-sample parameter gradients ∇_θ f(θ; x_i) of a one-output ReLU MLP, in factored form, computed by an
 * explicit forward and backward pass over the whole batch (exact ReLU derivative 1[z &gt; 0], the convention of
 * PyTorch at z = 0).
 *
 * <p>For layer l with pre-activations z_l = W_l a_{l−1} + b_l and back-propagated vectors δ_l = ∂f/∂z_l, the
 * gradient of one sample is ∂f/∂W_l = δ_l a_{l−1}ᵀ and ∂f/∂b_l = δ_l. The P×n Jacobian J = [∇_θ f(x_1) … ∇_θ f(x_n)]
 * is never formed (P is 1.8·10⁶ for 784-1000-1000-1): everything the analysis needs follows from the factors.
 * <ul>
 *   <li>Gram matrix: (JᵀJ)_ij = Σ_l (δ_{l,i}·δ_{l,j}) (a_{l−1,i}·a_{l−1,j} + [layer l has a bias]).</li>
 *   <li>Jᵀθ: ⟨θ, ∇_θ f(x_i)⟩ = Σ_l δ_{l,i}·(W_l a_{l−1,i} + b_l) = Σ_l δ_{l,i}·z_{l,i}.</li>
 *   <li>Combinations Σ_i c_i ∇_θ f(x_i): layer by layer Δ_lᵀ diag(c) A_{l−1} and Δ_lᵀ c (one GEMM each).</li>
 *   <li>Input gradients ∇_x f(x_i) = W_1ᵀ δ_{1,i}.</li>
 * </ul>
 * On a fixed activation pattern f and every ∇_θ f are affine in x, which is what the splitting and merging
 * constructions of Refael et al. (2025, "No Prior, No Leakage") use.
 */
public final class PerSampleGradients {
    private final int layers, n;
    private final int[] widths;
    private final double[][] weights;   // W_l, (out, in) row-major
    private final double[][] biases;    // b_l or null
    private final double[][] inputs;    // a_{l−1}: inputs[0] = x (n×d), inputs[l] = relu(z_{l−1})
    private final double[][] pre;       // z_l (n × widths[l+1])
    private final double[][] deltas;    // δ_l = ∂f/∂z_l (n × widths[l+1])

    /**
     * @param model a ReLU MLP with one output
     * @param x     n×d row-major inputs (as the model sees them)
     */
    public PerSampleGradients(Mlp model, double[] x, int n) {
        if (model.outputs() != 1) throw new BadInputException("the KKT analysis is for binary classifiers with one output; the model has " + model.outputs());
        this.layers = model.depth();
        this.widths = model.widths();
        this.n = n;
        if (x.length != n * widths[0]) throw new IllegalArgumentException(x.length + " values are not " + n + " rows of " + widths[0]);
        weights = new double[layers][];
        biases = new double[layers][];
        for (int l = 0; l < layers; l++) {
            weights[l] = model.weight(l).to(DType.F64).toDoubleArray();
            biases[l] = model.bias(l) == null ? null : model.bias(l).to(DType.F64).toDoubleArray();
        }
        inputs = new double[layers][];
        pre = new double[layers][];
        deltas = new double[layers][];
        inputs[0] = x.clone();
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            double[] z = new double[n * out];
            if (biases[l] != null) for (int i = 0; i < n; i++) System.arraycopy(biases[l], 0, z, i * out, out);
            Blas.dgemm(false, true, n, out, in, 1.0, inputs[l], 0, in, weights[l], 0, in, biases[l] == null ? 0.0 : 1.0, z, 0, out);
            pre[l] = z;
            if (l < layers - 1) {
                double[] a = new double[n * out];
                for (int k = 0; k < a.length; k++) a[k] = z[k] > 0 ? z[k] : 0;
                inputs[l + 1] = a;
            }
        }
        double[] top = new double[n];
        java.util.Arrays.fill(top, 1.0);
        deltas[layers - 1] = top;
        for (int l = layers - 2; l >= 0; l--) {
            int out = widths[l + 1], next = widths[l + 2];
            double[] dl = new double[n * out];
            Blas.dgemm(false, false, n, out, next, 1.0, deltas[l + 1], 0, next, weights[l + 1], 0, out, 0.0, dl, 0, out);
            double[] z = pre[l];
            for (int k = 0; k < dl.length; k++) if (!(z[k] > 0)) dl[k] = 0;
            deltas[l] = dl;
        }
    }

    public int n() { return n; }

    public int d() { return widths[0]; }

    public int layers() { return layers; }

    /** f(x_i) for every sample. */
    public double[] outputs() {
        return pre[layers - 1].clone();
    }

    /** Pre-activations z_l (n × width) of hidden layer l (0-based), a copy. */
    public double[] preActivations(int layer) {
        return pre[layer].clone();
    }

    /** δ_1 = ∂f/∂z_1 (n × width of the first hidden layer), a copy. */
    public double[] firstLayerDeltas() {
        return deltas[0].clone();
    }

    /** The Gram matrix JᵀJ (n×n, row-major) of the per-sample parameter gradients. */
    public double[] gram() {
        double[] g = new double[n * n];
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            double[] dd = new double[n * n], aa = new double[n * n];
            Blas.dgemm(false, true, n, n, out, 1.0, deltas[l], 0, out, deltas[l], 0, out, 0.0, dd, 0, n);
            Blas.dgemm(false, true, n, n, in, 1.0, inputs[l], 0, in, inputs[l], 0, in, 0.0, aa, 0, n);
            double bias = biases[l] == null ? 0 : 1;
            for (int k = 0; k < g.length; k++) g[k] += dd[k] * (aa[k] + bias);
        }
        return g;
    }

    /** ⟨θ, ∇_θ f(x_i)⟩ for every sample: Jᵀθ. */
    public double[] thetaDotGradients() {
        double[] c = new double[n];
        for (int l = 0; l < layers; l++) {
            int out = widths[l + 1];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k < out; k++) s += deltas[l][i * out + k] * pre[l][i * out + k];
                c[i] += s;
            }
        }
        return c;
    }

    /**
     * Σ_i c_i ∇_θ f(x_i), one array per parameter tensor in the order of {@link Mlp#parameters()}
     * (W_1, b_1 if any, W_2, …).
     */
    public List<double[]> combination(double[] coefficients) {
        if (coefficients.length != n) throw new IllegalArgumentException(coefficients.length + " coefficients for " + n + " samples");
        List<double[]> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int in = widths[l], width = widths[l + 1];
            double[] scaled = new double[n * width];
            for (int i = 0; i < n; i++) for (int k = 0; k < width; k++) scaled[i * width + k] = coefficients[i] * deltas[l][i * width + k];
            double[] gw = new double[width * in];
            Blas.dgemm(true, false, width, in, n, 1.0, scaled, 0, width, inputs[l], 0, in, 0.0, gw, 0, in);
            out.add(gw);
            if (biases[l] != null) {
                double[] gb = new double[width];
                for (int i = 0; i < n; i++) for (int k = 0; k < width; k++) gb[k] += scaled[i * width + k];
                out.add(gb);
            }
        }
        return out;
    }

    /** The parameters θ as arrays, in the order of {@link #combination}. */
    public List<double[]> parameters() {
        List<double[]> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            out.add(weights[l].clone());
            if (biases[l] != null) out.add(biases[l].clone());
        }
        return out;
    }

    /** ‖θ‖². */
    public double thetaSquaredNorm() {
        double s = 0;
        for (double[] p : parameters()) for (double v : p) s += v * v;
        return s;
    }

    /** ‖θ − Σ_i c_i ∇_θ f(x_i)‖, computed parameter by parameter (no cancellation of squared norms). */
    public double stationarityResidual(double[] coefficients) {
        List<double[]> comb = combination(coefficients), theta = parameters();
        double s = 0;
        for (int p = 0; p < theta.size(); p++) {
            double[] t = theta.get(p), c = comb.get(p);
            for (int k = 0; k < t.length; k++) {
                double r = t[k] - c[k];
                s += r * r;
            }
        }
        return Math.sqrt(s);
    }

    /** ∇_x f(x_i) (n×d): W_1ᵀ δ_{1,i}. */
    public double[] inputGradients() {
        int d = widths[0], h = widths[1];
        double[] g = new double[n * d];
        Blas.dgemm(false, false, n, d, h, 1.0, deltas[0], 0, h, weights[0], 0, d, 0.0, g, 0, d);
        return g;
    }

    /** W_1 ν for a direction ν (d): what the first layer sees of it. */
    public double[] firstLayerImage(double[] nu) {
        int d = widths[0], h = widths[1];
        double[] out = new double[h];
        for (int k = 0; k < h; k++) {
            double s = 0;
            for (int p = 0; p < d; p++) s += weights[0][k * d + p] * nu[p];
            out[k] = s;
        }
        return out;
    }

    /** The activation pattern of sample i over all hidden layers: 1[z &gt; 0], layer after layer. */
    public boolean[] pattern(int i) {
        int total = 0;
        for (int l = 0; l < layers - 1; l++) total += widths[l + 1];
        boolean[] p = new boolean[total];
        int at = 0;
        for (int l = 0; l < layers - 1; l++) {
            int w = widths[l + 1];
            for (int k = 0; k < w; k++) p[at++] = pre[l][i * w + k] > 0;
        }
        return p;
    }

    /**
     * The first pattern change along the segments x_i ± t·ν_i: within a fixed pattern every pre-activation is
     * affine in t, z(t) = z + t·ż with ż_1 = W_1ν and ż_{l+1} = W_{l+1}(1[z_l &gt; 0] ⊙ ż_l), so the pattern holds
     * for |t| &lt; t_max = min over hidden neurons with ż ≠ 0 of |z|/|ż| (0 for a neuron at exactly z = 0 that
     * moves). +∞ when no hidden neuron moves.
     *
     * @param directions n×d, one direction per sample
     * @return per sample: t_max, and the layer and neuron that flip first (−1 when none)
     */
    public StepLimits patternPreservingSteps(double[] directions) {
        int d = widths[0];
        if (directions.length != n * d) throw new IllegalArgumentException("directions must be n×d");
        double[] tMax = new double[n];
        int[] layerAt = new int[n], neuronAt = new int[n];
        java.util.Arrays.fill(tMax, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(layerAt, -1);
        java.util.Arrays.fill(neuronAt, -1);
        double[] dz = null;
        double[] moving = directions;
        for (int l = 0; l < layers - 1; l++) {
            int in = widths[l], out = widths[l + 1];
            dz = new double[n * out];
            Blas.dgemm(false, true, n, out, in, 1.0, moving, 0, in, weights[l], 0, in, 0.0, dz, 0, out);
            double[] z = pre[l];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < out; k++) {
                    double rate = Math.abs(dz[i * out + k]);
                    if (rate == 0) continue;
                    double t = Math.abs(z[i * out + k]) / rate;
                    if (t < tMax[i]) {
                        tMax[i] = t;
                        layerAt[i] = l;
                        neuronAt[i] = k;
                    }
                }
            }
            double[] next = new double[n * out];
            for (int k = 0; k < next.length; k++) next[k] = z[k] > 0 ? dz[k] : 0;
            moving = next;
        }
        return new StepLimits(tMax, layerAt, neuronAt);
    }

    /** Per-sample limits of a pattern-preserving step, and which neuron flips first. */
    public record StepLimits(double[] tMax, int[] layer, int[] neuron) {}
}
