package org.imprint.data;

import java.util.Arrays;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * A labelled dataset: {@code x} is an (n, d) tensor (float64 unless converted with {@link #toDType}), one
 * row per example; {@code labels[i]} is the class id 0..numClasses−1 of row i; {@code sampleShape} is how a
 * row is laid out (e.g. {28, 28} for an image, {d} otherwise; its product is d); {@code sourceIndex[i]} is
 * the row's index in the file it came from (−1 for synthetic data); {@code description} says where it came
 * from, for logs and run records.
 *
 * <p>For binary tasks class 1 is the positive class: {@link #signs()} gives y = +1 for class 1 and −1 for
 * class 0. Arrays are not copied on construction; treat them as immutable.
 */
public record Dataset(Tensor x, int[] labels, int numClasses, int[] sampleShape, int[] sourceIndex, String description) {
    public Dataset {
        if (x.rank() != 2) throw new IllegalArgumentException("x must be (n, d), got shape " + Arrays.toString(x.shape()));
        int n = x.dim(0), d = x.dim(1);
        if (labels.length != n) throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        if (sourceIndex.length != n) throw new IllegalArgumentException(sourceIndex.length + " source indices for " + n + " rows");
        if (numClasses < 1) throw new IllegalArgumentException("numClasses " + numClasses);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside 0.." + (numClasses - 1));
            }
        }
        long prod = 1;
        for (int s : sampleShape) prod *= s;
        if (prod != d) {
            throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " does not hold d = " + d);
        }
        if (description == null) description = "";
    }

    /** Number of examples. */
    public int n() {
        return x.dim(0);
    }

    /** Input dimension. */
    public int d() {
        return x.dim(1);
    }

    /** Binary labels as ±1: +1 for class 1, −1 for class 0. Throws unless numClasses == 2. */
    public double[] signs() {
        if (numClasses != 2) throw new IllegalStateException("signs() needs a binary dataset, this one has " + numClasses + " classes");
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i] == 1 ? 1.0 : -1.0;
        return y;
    }

    /** The labels as an F64 tensor of shape (n). */
    public Tensor labelTensor() {
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i];
        return Tensor.of(y, y.length);
    }

    /** How many examples each class has. */
    public int[] classCounts() {
        int[] c = new int[numClasses];
        for (int l : labels) c[l]++;
        return c;
    }

    /** A copy of row i as doubles. */
    public double[] row(int i) {
        int d = d();
        double[] out = new double[d];
        for (int j = 0; j < d; j++) out[j] = x.getFlat(i * d + j);
        return out;
    }

    /** The rows at the given indices (in that order; repeats allowed), with labels and source indices. */
    public Dataset subset(int[] rows) {
        int d = d(), n = n();
        int[] lab = new int[rows.length];
        int[] src = new int[rows.length];
        Tensor sub;
        if (x.dtype() == DType.F64) {
            double[] a = x.doubleData(), out = new double[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                check(rows[k], n);
                System.arraycopy(a, rows[k] * d, out, k * d, d);
            }
            sub = Tensor.of(out, rows.length, d);
        } else {
            float[] a = x.floatData(), out = new float[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                check(rows[k], n);
                System.arraycopy(a, rows[k] * d, out, k * d, d);
            }
            sub = Tensor.of(out, rows.length, d);
        }
        for (int k = 0; k < rows.length; k++) {
            lab[k] = labels[rows[k]];
            src[k] = sourceIndex[rows[k]];
        }
        return new Dataset(sub, lab, numClasses, sampleShape, src, description + " [subset of " + rows.length + "]");
    }

    private static void check(int row, int n) {
        if (row < 0 || row >= n) throw new IndexOutOfBoundsException("row " + row + " of " + n);
    }

    /** The same data with {@code x} in another dtype (a copy; this one if already of that dtype). */
    public Dataset toDType(DType dtype) {
        return x.dtype() == dtype ? this : withX(x.to(dtype));
    }

    /** The same labels and provenance with new inputs of the same shape. */
    public Dataset withX(Tensor newX) {
        if (!Arrays.equals(newX.shape(), x.shape())) {
            throw new IllegalArgumentException("new x has shape " + Arrays.toString(newX.shape()) + ", expected " + Arrays.toString(x.shape()));
        }
        return new Dataset(newX, labels, numClasses, sampleShape, sourceIndex, description);
    }

    /** The same data viewed with another per-example layout (its product must be d). */
    public Dataset withSampleShape(int... shape) {
        return new Dataset(x, labels, numClasses, shape.clone(), sourceIndex, description);
    }

    /** The same data with another description. */
    public Dataset withDescription(String text) {
        return new Dataset(x, labels, numClasses, sampleShape, sourceIndex, text);
    }

    @Override
    public String toString() {
        return "Dataset(" + description + ": n=" + n() + ", d=" + d() + ", classes=" + numClasses
                + ", counts=" + Arrays.toString(classCounts()) + ")";
    }
}
