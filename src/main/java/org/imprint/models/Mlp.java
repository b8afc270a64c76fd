package org.imprint.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.imprint.io.BadInputException;
import org.imprint.tensor.DType;
import org.imprint.tensor.Functional;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * A ReLU multilayer perceptron f(θ; x) = W_L σ(… σ(W_1 x + b_1) …) (+ b_L), with PyTorch's layout: layer i
 * has weight (out, in) named {@code "{2i}.weight"} and optional bias {@code "{2i}.bias"}, exactly the
 * state-dict keys of {@code nn.Sequential(Linear, ReLU, Linear, …)}, so PyTorch-trained weights load as they
 * are. With a bias in the first layer only, f is L-homogeneous in θ: f(cθ; x) = c^L f(θ; x), where L is the
 * number of weight layers (Haim et al. 2022, §3).
 */
public final class Mlp {
    /** Which layers have a bias. */
    public enum BiasMode { NONE, FIRST, ALL }

    /** How the initial weights are drawn, before the per-layer scale. */
    public enum InitDistribution {
        /** PyTorch's nn.Linear default: weight and bias ~ U(−1/√fan_in, 1/√fan_in), times the scale. */
        PYTORCH_UNIFORM,
        /** N(0, scale²) (Haim et al.'s first layer: scale 1e-4). */
        NORMAL
    }

    private final int[] widths;
    private final boolean[] hasBias;
    private final List<Tensor> weights;
    private final List<Tensor> biases; // null where a layer has no bias

    private Mlp(int[] widths, boolean[] hasBias, List<Tensor> weights, List<Tensor> biases) {
        this.widths = widths;
        this.hasBias = hasBias;
        this.weights = weights;
        this.biases = biases;
    }

    /** Parses "784-1000-1000-1" (input, hidden…, output). */
    public static int[] parseArch(String arch) {
        String[] parts = arch.trim().split("-");
        if (parts.length < 2) throw new BadInputException("architecture '" + arch + "' needs at least input-output, e.g. 784-1000-1");
        int[] w = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("architecture '" + arch + "': '" + parts[i] + "' is not a width");
            }
            if (w[i] <= 0) throw new BadInputException("architecture '" + arch + "': widths must be positive");
        }
        return w;
    }

    public static boolean[] biasLayout(BiasMode mode, int layers) {
        boolean[] b = new boolean[layers];
        for (int i = 0; i < layers; i++) b[i] = mode == BiasMode.ALL || (mode == BiasMode.FIRST && i == 0);
        return b;
    }

    /** {@link #initialise(int[], BiasMode, InitDistribution[], double[], Rng, DType)} with one distribution for all layers. */
    public static Mlp initialise(int[] widths, BiasMode bias, InitDistribution dist, double[] initScale, Rng rng, DType dtype) {
        return initialise(widths, bias, new InitDistribution[] {dist}, initScale, rng, dtype);
    }

    /**
     * A freshly initialised network. {@code dists} and {@code initScale} have one entry per layer (or one for
     * all); parameters are drawn layer by layer, weight then bias, row-major, from {@code rng}. Haim et al.'s
     * victims are {@code {NORMAL, PYTORCH_UNIFORM, …}} with scales {@code {1e-4, 1, …}}.
     */
    public static Mlp initialise(int[] widths, BiasMode bias, InitDistribution[] dists, double[] initScale, Rng rng, DType dtype) {
        int layers = widths.length - 1;
        if (layers < 1) throw new BadInputException("an MLP needs at least one layer");
        if (initScale.length != 1 && initScale.length != layers) {
            throw new BadInputException(initScale.length + " init scales for " + layers + " layers (give 1 or " + layers + ")");
        }
        if (dists.length != 1 && dists.length != layers) {
            throw new BadInputException(dists.length + " init distributions for " + layers + " layers (give 1 or " + layers + ")");
        }
        boolean[] hasBias = biasLayout(bias, layers);
        List<Tensor> ws = new ArrayList<>(), bs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            int in = widths[i], out = widths[i + 1];
            double scale = initScale.length == 1 ? initScale[0] : initScale[i];
            double bound = 1.0 / Math.sqrt(in);
            InitDistribution dist = dists.length == 1 ? dists[0] : dists[i];
            ws.add(draw(dist, rng, bound, scale, dtype, out, in));
            bs.add(hasBias[i] ? draw(dist, rng, bound, scale, dtype, out) : null);
        }
        Mlp m = new Mlp(widths.clone(), hasBias, ws, bs);
        m.parameters().forEach(p -> p.requiresGrad(true));
        return m;
    }

    private static Tensor draw(InitDistribution dist, Rng rng, double bound, double scale, DType dtype, int... shape) {
        return switch (dist) {
            case PYTORCH_UNIFORM -> Tensor.uniform(dtype, rng, -bound * scale, bound * scale, shape);
            case NORMAL -> Tensor.normal(dtype, rng, 0, scale, shape);
        };
    }

    /**
     * Builds a network from named tensors: our own files or a PyTorch state dict of an MLP. Layers are the
     * rank-2 {@code *.weight} tensors, ordered by the natural order of their names ("2" before "10") and
     * checked to chain (each layer's input width is the previous output width); a {@code *.bias} with the
     * same prefix is that layer's bias.
     */
    public static Mlp fromTensors(Map<String, Tensor> tensors, DType dtype, String source) {
        List<String> prefixes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().rank() == 2) prefixes.add(e.getKey().substring(0, e.getKey().length() - 7));
        }
        if (prefixes.isEmpty()) throw new BadInputException(source + ": no rank-2 '*.weight' tensors, so no MLP layers");
        prefixes.sort(Mlp::naturalCompare);
        int layers = prefixes.size();
        int[] widths = new int[layers + 1];
        boolean[] hasBias = new boolean[layers];
        List<Tensor> ws = new ArrayList<>(), bs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            Tensor w = tensors.get(prefixes.get(i) + ".weight").to(dtype).copy();
            if (i == 0) widths[0] = w.dim(1);
            else if (w.dim(1) != widths[i]) {
                throw new BadInputException(source + ": layer '" + prefixes.get(i) + "' takes " + w.dim(1) + " inputs but the previous layer gives " + widths[i]);
            }
            widths[i + 1] = w.dim(0);
            Tensor b = tensors.get(prefixes.get(i) + ".bias");
            if (b != null) {
                if (b.rank() != 1 || b.dim(0) != w.dim(0)) {
                    throw new BadInputException(source + ": bias '" + prefixes.get(i) + ".bias' has shape " + Arrays.toString(b.shape()) + ", expected [" + w.dim(0) + "]");
                }
                b = b.to(dtype).copy();
            }
            hasBias[i] = b != null;
            ws.add(w);
            bs.add(b);
        }
        Mlp m = new Mlp(widths, hasBias, ws, bs);
        m.parameters().forEach(p -> p.requiresGrad(true));
        return m;
    }

    private static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                int c = Long.compare(Long.parseLong(a.substring(si, i)), Long.parseLong(b.substring(sj, j)));
                if (c != 0) return c;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** f(θ; x) with ReLU: x (N, in) → (N, out). */
    public Tensor forward(Tensor x) {
        return forward(x, Tensor::relu);
    }

    /** f(θ; x) with the given activation between layers (e.g. {@code z -> z.smoothRelu(α)} in the attack). */
    public Tensor forward(Tensor x, UnaryOperator<Tensor> activation) {
        if (x.rank() != 2 || x.dim(1) != widths[0]) {
            throw new BadInputException("model expects inputs (N, " + widths[0] + "), got " + Arrays.toString(x.shape()));
        }
        Tensor h = x;
        for (int i = 0; i < weights.size(); i++) {
            h = Functional.linear(h, weights.get(i), biases.get(i));
            if (i < weights.size() - 1) h = activation.apply(h);
        }
        return h;
    }

    /** The parameters in order: W₁, b₁ (if any), W₂, …; the tensors themselves (updated in place by optimizers). */
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            ps.add(weights.get(i));
            if (biases.get(i) != null) ps.add(biases.get(i));
        }
        return ps;
    }

    /** Parameters with their PyTorch nn.Sequential names ("0.weight", "0.bias", "2.weight", …). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < weights.size(); i++) {
            named.put((2 * i) + ".weight", weights.get(i));
            if (biases.get(i) != null) named.put((2 * i) + ".bias", biases.get(i));
        }
        return named;
    }

    public Tensor weight(int layer) { return weights.get(layer); }

    /** The bias of a layer, or null. */
    public Tensor bias(int layer) { return biases.get(layer); }

    /** Number of weight layers L (the homogeneity degree when only the first layer has a bias). */
    public int depth() { return weights.size(); }

    public int inputs() { return widths[0]; }

    public int outputs() { return widths[widths.length - 1]; }

    public int[] widths() { return widths.clone(); }

    public boolean[] biasLayout() { return hasBias.clone(); }

    /** "784-1000-1000-1". */
    public String archString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) sb.append(i > 0 ? "-" : "").append(widths[i]);
        return sb.toString();
    }

    /** "none", "first", "all", or a per-layer list like "1,0,1". */
    public String biasString() {
        for (BiasMode m : BiasMode.values()) {
            if (Arrays.equals(hasBias, biasLayout(m, hasBias.length))) return m.name().toLowerCase();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hasBias.length; i++) sb.append(i > 0 ? "," : "").append(hasBias[i] ? 1 : 0);
        return sb.toString();
    }

    /** True when f is positively homogeneous in θ (no bias after the first layer). */
    public boolean isHomogeneous() {
        for (int i = 1; i < hasBias.length; i++) if (hasBias[i]) return false;
        return true;
    }

    public DType dtype() { return weights.get(0).dtype(); }

    public int parameterCount() {
        int n = 0;
        for (Tensor p : parameters()) n += p.size();
        return n;
    }

    /** ‖θ‖₂ over all parameters. */
    public double parameterNorm() {
        double s = 0;
        for (Tensor p : parameters()) for (int i = 0; i < p.size(); i++) s += p.getFlat(i) * p.getFlat(i);
        return Math.sqrt(s);
    }
}
