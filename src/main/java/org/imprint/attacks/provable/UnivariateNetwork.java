package org.imprint.attacks.provable;

import java.util.ArrayList;
import java.util.List;
import org.imprint.io.BadInputException;
import org.imprint.models.Mlp;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * A univariate 2-layer ReLU network Φ(x) = Σ_j v_j·σ(w_j·x + b_j) with first-layer biases and no output bias
 * (Smorodinsky, Vardi &amp; Safran 2024, §2). Plain arrays: the 1-D attack and the long 1-D training loop work on
 * these directly.
 *
 * @param w first-layer weights w_j
 * @param b first-layer biases b_j
 * @param v output weights v_j
 */
public record UnivariateNetwork(double[] w, double[] b, double[] v) {
    public UnivariateNetwork {
        if (w.length != b.length || w.length != v.length) {
            throw new IllegalArgumentException("neuron arrays differ in length: " + w.length + ", " + b.length + ", " + v.length);
        }
    }

    /** The network of an {@link Mlp} with widths (1, k, 1), a first-layer bias and no output bias. */
    public static UnivariateNetwork fromMlp(Mlp model, String source) {
        int[] widths = model.widths();
        if (widths.length != 3 || widths[0] != 1 || widths[2] != 1) {
            throw new BadInputException(source + ": the 1-D attack needs a 1-k-1 network, this one is " + model.archString());
        }
        if (model.bias(1) != null) throw new BadInputException(source + ": the 1-D attack needs a network without an output bias");
        double[] w = model.weight(0).to(DType.F64).toDoubleArray();
        double[] b = model.bias(0) == null ? new double[w.length] : model.bias(0).to(DType.F64).toDoubleArray();
        double[] v = model.weight(1).to(DType.F64).toDoubleArray();
        return new UnivariateNetwork(w, b, v);
    }

    /** The (1, k, 1) {@link Mlp} holding these parameters (float64). */
    public Mlp toMlp() {
        int k = w.length;
        return Mlp.fromTensors(java.util.Map.of("0.weight", Tensor.of(w.clone(), k, 1), "0.bias", Tensor.of(b.clone(), k),
                "2.weight", Tensor.of(v.clone(), 1, k)), DType.F64, "univariate network");
    }

    public int width() {
        return w.length;
    }

    /** Φ(x). */
    public double value(double x) {
        double s = 0;
        for (int j = 0; j < w.length; j++) {
            double z = w[j] * x + b[j];
            if (z > 0) s += v[j] * z;
        }
        return s;
    }

    /** Φ at each point. */
    public double[] values(double[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = value(xs[i]);
        return out;
    }

    /**
     * Drops the neurons whose contribution scale |v_j|·‖(w_j, b_j)‖ is below {@code relative} times the largest
     * one (0 keeps all but exactly-zero neurons). Training from small or random initialisation leaves many tiny
     * neurons whose kinks are not KKT breakpoints; their effect on Φ is bounded by that scale per unit of |x|.
     */
    public UnivariateNetwork prune(double relative) {
        if (!(relative >= 0)) throw new BadInputException("pruning threshold must be >= 0, got " + relative);
        double max = 0;
        double[] scale = new double[w.length];
        for (int j = 0; j < w.length; j++) {
            scale[j] = Math.abs(v[j]) * Math.hypot(w[j], b[j]);
            max = Math.max(max, scale[j]);
        }
        List<Integer> keep = new ArrayList<>();
        for (int j = 0; j < w.length; j++) if (scale[j] > 0 && scale[j] >= relative * max) keep.add(j);
        double[] w2 = new double[keep.size()], b2 = new double[keep.size()], v2 = new double[keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            w2[i] = w[keep.get(i)];
            b2[i] = b[keep.get(i)];
            v2[i] = v[keep.get(i)];
        }
        return new UnivariateNetwork(w2, b2, v2);
    }

    /**
     * The largest per-neuron imbalance |v_j² − w_j² − b_j²| relative to the largest v_j² (a KKT point has every
     * neuron balanced; gradient flow conserves each imbalance, so training from a small initialisation ends
     * nearly balanced).
     */
    public double maxRelativeImbalance() {
        double worst = 0, scale = 0;
        for (int j = 0; j < w.length; j++) {
            worst = Math.max(worst, Math.abs(v[j] * v[j] - w[j] * w[j] - b[j] * b[j]));
            scale = Math.max(scale, v[j] * v[j]);
        }
        return scale == 0 ? 0 : worst / scale;
    }
}
