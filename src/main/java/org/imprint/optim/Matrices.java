package org.imprint.optim;

import org.imprint.kernels.Blas;

/**
 * Row-major double matrices as plain arrays, for the optimizers' linear algebra (products on {@link Blas},
 * transposes, norms). Every method allocates its result and leaves its arguments unmodified.
 */
public final class Matrices {
    private Matrices() {}

    /** C = op(A)·op(B), C is m×n, op(X) = Xᵀ when the flag is set; A is m×k (k×m if transposed), B k×n (n×k). */
    public static double[] multiply(double[] a, boolean transA, double[] b, boolean transB, int m, int n, int k) {
        double[] c = new double[m * n];
        Blas.dgemm(transA, transB, m, n, k, 1.0, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.0, c, 0, n);
        return c;
    }

    /** Float32 {@link #multiply(double[], boolean, double[], boolean, int, int, int)}. */
    public static float[] multiply(float[] a, boolean transA, float[] b, boolean transB, int m, int n, int k) {
        float[] c = new float[m * n];
        Blas.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    /** Aᵀ of a rows×cols matrix. */
    public static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    public static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /** ‖A‖_F = √(Σ a²). */
    public static double frobenius(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    /** ⟨A, B⟩ = Σ a·b. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** The first {@code cols} columns of a rows×n matrix. */
    public static double[] leadingColumns(double[] a, int rows, int n, int cols) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) System.arraycopy(a, i * n, out, i * cols, cols);
        return out;
    }

    /** True when every entry is finite. */
    public static boolean allFinite(double[] a) {
        for (double v : a) if (!Double.isFinite(v)) return false;
        return true;
    }
}
