package org.imprint.train;

import org.imprint.io.BadInputException;
import org.imprint.tensor.DType;
import org.imprint.tensor.Functional;
import org.imprint.tensor.Tensor;

/**
 * Training losses, averaged over the samples. For one output the labels are signs y ∈ {−1, +1} (class 1 ↔
 * +1) and the margin is q = y·f(x); for C outputs the margin is f_y(x) − max_{j≠y} f_j(x).
 */
public enum Loss {
    /** mean log(1 + e^(−q)): binary cross-entropy with logits (Haim et al. 2022). */
    LOGISTIC,
    /** mean e^(−q). */
    EXPONENTIAL,
    /** mean −log softmax(f)_y, for C ≥ 2 outputs (Buzaglo et al. 2023 multiclass). */
    CROSS_ENTROPY,
    /** mean (f − y)² with y = ±1 (one output) or one-hot ±1 targets (C outputs) (Buzaglo et al. regression). */
    MSE;

    /** The loss of outputs (N, out) against class labels. */
    public Tensor compute(Tensor outputs, int[] labels) {
        int c = outputs.dim(1);
        return switch (this) {
            case LOGISTIC, EXPONENTIAL -> {
                if (c != 1) throw new BadInputException(name().toLowerCase() + " loss needs a model with one output, this one has " + c + " (use cross-entropy)");
                Tensor q = outputs.reshape(-1).mul(signs(labels, outputs.dtype()));
                yield (this == LOGISTIC ? Functional.logisticLoss(q) : Functional.exponentialLoss(q)).mean();
            }
            case CROSS_ENTROPY -> {
                if (c < 2) throw new BadInputException("cross-entropy loss needs a model with at least 2 outputs, this one has " + c);
                yield Functional.crossEntropy(outputs, labels);
            }
            case MSE -> Functional.mse(outputs, c == 1 ? signs(labels, outputs.dtype()).reshape(-1, 1) : oneHotSigns(labels, c, outputs.dtype()));
        };
    }

    /** y_i = +1 for class 1, −1 for class 0. */
    public static Tensor signs(int[] labels, DType dtype) {
        double[] v = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) throw new BadInputException("a binary model needs labels 0/1, found " + labels[i]);
            v[i] = labels[i] == 1 ? 1 : -1;
        }
        return dtype == DType.F64 ? Tensor.of(v, labels.length) : Tensor.of(v, labels.length).to(DType.F32);
    }

    private static Tensor oneHotSigns(int[] labels, int c, DType dtype) {
        double[] v = new double[labels.length * c];
        java.util.Arrays.fill(v, -1);
        for (int i = 0; i < labels.length; i++) v[i * c + labels[i]] = 1;
        Tensor t = Tensor.of(v, labels.length, c);
        return dtype == DType.F64 ? t : t.to(DType.F32);
    }

    /** Margins q_i (see the class comment) of outputs (N, out), as doubles. */
    public static double[] margins(Tensor outputs, int[] labels) {
        int n = outputs.dim(0), c = outputs.dim(1);
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            if (c == 1) {
                q[i] = (labels[i] == 1 ? 1 : -1) * outputs.getFlat(i);
            } else {
                double best = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) if (j != labels[i]) best = Math.max(best, outputs.getFlat(i * c + j));
                q[i] = outputs.getFlat(i * c + labels[i]) - best;
            }
        }
        return q;
    }

    public static Loss parse(String s) {
        return switch (s.toLowerCase().replace('_', '-')) {
            case "logistic", "bce" -> LOGISTIC;
            case "exponential", "exp" -> EXPONENTIAL;
            case "cross-entropy", "ce" -> CROSS_ENTROPY;
            case "mse" -> MSE;
            default -> throw new BadInputException("unknown loss '" + s + "' (logistic, exponential, cross-entropy, mse)");
        };
    }
}
