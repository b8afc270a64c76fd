package org.imprint.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * Per-feature mean subtraction as in Haim et al. (2022): μ_j = (1/n) Σ_i x_ij over the training rows
 * (summed in row order, in float64), and x'_ij = x_ij − μ_j for the training set and every other split.
 * The mean is returned so a run can store it and map reconstructions back with {@link #addMean}.
 */
public final class Preprocess {
    private Preprocess() {}

    /** The training mean (an F64 tensor of shape (d)) and the centred datasets. */
    public record Centered(Tensor mean, Dataset train, List<Dataset> others) {}

    /** The per-feature mean of the rows of {@code ds}, shape (d), F64. */
    public static Tensor mean(Dataset ds) {
        int n = ds.n(), d = ds.d();
        double[] mu = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mu[j] += ds.x().getFlat(i * d + j);
        for (int j = 0; j < d; j++) mu[j] /= n;
        return Tensor.of(mu, d);
    }

    /** Subtracts the training mean from {@code train} and from each of {@code others} (same d). */
    public static Centered subtractMean(Dataset train, Dataset... others) {
        Tensor mu = mean(train);
        List<Dataset> rest = new ArrayList<>();
        for (Dataset o : others) rest.add(subtract(o, mu));
        return new Centered(mu, subtract(train, mu), List.copyOf(rest));
    }

    /** {@code ds} with {@code mean} (shape (d)) subtracted from every row; keeps the dataset's dtype. */
    public static Dataset subtract(Dataset ds, Tensor mean) {
        return ds.withX(shift(ds.x(), mean, -1)).withDescription(ds.description() + ", mean-subtracted");
    }

    /** The inverse of {@link #subtract}: {@code mean} added back to every row. */
    public static Dataset addMean(Dataset ds, Tensor mean) {
        return ds.withX(shift(ds.x(), mean, +1));
    }

    /** Rows of an (m, d) tensor (e.g. reconstructions, F64 or F32) plus {@code mean}; a new tensor of x's dtype. */
    public static Tensor addMean(Tensor x, Tensor mean) {
        return shift(x, mean, +1);
    }

    private static Tensor shift(Tensor x, Tensor mean, int sign) {
        if (x.rank() != 2 || mean.size() != x.dim(1)) {
            throw new IllegalArgumentException("mean of shape " + Arrays.toString(mean.shape()) + " does not fit rows of " + Arrays.toString(x.shape()));
        }
        int m = x.dim(0), d = x.dim(1);
        double[] mu = mean.toDoubleArray();
        if (x.dtype() == DType.F64) {
            double[] a = x.doubleData(), out = new double[a.length];
            for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) out[i * d + j] = a[i * d + j] + sign * mu[j];
            return Tensor.of(out, m, d);
        }
        float[] a = x.floatData(), out = new float[a.length];
        for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) out[i * d + j] = (float) (a[i * d + j] + sign * mu[j]);
        return Tensor.of(out, m, d);
    }
}
