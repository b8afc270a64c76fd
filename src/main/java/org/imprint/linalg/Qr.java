package org.imprint.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.imprint.kernels.OpenBlas;

/**
 * Thin QR factorization A = Q·R of a row-major m×n matrix, k = min(m, n): Q is m×k with orthonormal columns
 * (QᵀQ = I), R is k×n upper triangular (trapezoidal when m &lt; n). No sign convention: the diagonal of R may be
 * negative. Native: LAPACK {@code ?geqrf} + {@code ?orgqr}; Java: Householder reflections.
 */
public final class Qr {
    private Qr() {}

    /** Q (m×k) and R (k×n), row-major, k = min(m, n). */
    public record Result(double[] q, double[] r, int m, int n, int k) {}

    /** Float32 {@link Result}. */
    public record FloatResult(float[] q, float[] r, int m, int n, int k) {}

    /** Thin QR on {@link Backend#AUTO}. @param a m×n row-major, finite. Not modified. */
    public static Result factor(double[] a, int m, int n) {
        return factor(a, m, n, Backend.AUTO);
    }

    /** Thin QR on the given backend. @param a m×n row-major, finite. Not modified. */
    public static Result factor(double[] a, int m, int n, Backend backend) {
        Checks.matrix("qr", "A", a, m, n);
        int k = Math.min(m, n);
        if (k == 0) return new Result(new double[m * k], new double[k * n], m, n, k);
        if (!backend.useNative()) {
            double[][] qr = JavaDense.qr(a, m, n, true);
            return new Result(qr[0], qr[1], m, n, k);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment tau = Checks.doubles(arena, k);
            Checks.info("dgeqrf", OpenBlas.dgeqrf(m, n, w, m, tau));
            double[] r = upperDouble(w, m, n, k);
            Checks.info("dorgqr", OpenBlas.dorgqr(m, k, k, w, m, tau));
            return new Result(Checks.rowMajorDouble(w, m, k, m), r, m, n, k);
        }
    }

    /** Thin QR in float32 on {@link Backend#AUTO}. @param a m×n row-major, finite. Not modified. */
    public static FloatResult factor(float[] a, int m, int n) {
        return factor(a, m, n, Backend.AUTO);
    }

    /**
     * Thin QR in float32 on the given backend (the Java backend computes in float64 and rounds).
     * @param a m×n row-major, finite. Not modified.
     */
    public static FloatResult factor(float[] a, int m, int n, Backend backend) {
        Checks.matrix("qr", "A", a, m, n);
        int k = Math.min(m, n);
        if (k == 0) return new FloatResult(new float[m * k], new float[k * n], m, n, k);
        if (!backend.useNative()) {
            double[][] qr = JavaDense.qr(Checks.toDouble(a), m, n, true);
            return new FloatResult(Checks.toFloat(qr[0]), Checks.toFloat(qr[1]), m, n, k);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment tau = Checks.floats(arena, k);
            Checks.info("sgeqrf", OpenBlas.sgeqrf(m, n, w, m, tau));
            float[] r = new float[k * n];
            for (int j = 0; j < n; j++) {
                for (int i = 0; i <= Math.min(j, k - 1); i++) r[i * n + j] = w.getAtIndex(ValueLayout.JAVA_FLOAT, (long) j * m + i);
            }
            Checks.info("sorgqr", OpenBlas.sorgqr(m, k, k, w, m, tau));
            return new FloatResult(Checks.rowMajorFloat(w, m, k, m), r, m, n, k);
        }
    }

    /**
     * Only the k×n upper-triangular factor R of A = QR (Q is never formed, which halves the work and saves the m×k
     * memory). Used to compress tall least-squares problems.
     * @param a m×n row-major, finite. Not modified.
     */
    public static double[] r(double[] a, int m, int n, Backend backend) {
        Checks.matrix("qr", "A", a, m, n);
        int k = Math.min(m, n);
        if (k == 0) return new double[0];
        if (!backend.useNative()) return JavaDense.qr(a, m, n, false)[1];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment tau = Checks.doubles(arena, k);
            Checks.info("dgeqrf", OpenBlas.dgeqrf(m, n, w, m, tau));
            return upperDouble(w, m, n, k);
        }
    }

    /**
     * R ((n+1)×(n+1), row-major) of the augmented matrix [A | b] for m &gt; n, built without a row-major copy of
     * [A | b] on the native backend (the column-major native copy LAPACK needs is the only one).
     * @param a m×n row-major, finite. Not modified. @param b m values, finite. Not modified.
     */
    static double[] rOfAugmented(double[] a, int m, int n, double[] b, Backend backend) {
        int cols = n + 1;
        if (!backend.useNative()) {
            double[] augmented = new double[m * cols];
            for (int i = 0; i < m; i++) {
                System.arraycopy(a, i * n, augmented, i * cols, n);
                augmented[i * cols + n] = b[i];
            }
            return JavaDense.qr(augmented, m, cols, false)[1];
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.doubles(arena, (long) m * cols);
            Checks.colMajorInto(w, a, m, n, m);
            MemorySegment.copy(b, 0, w, ValueLayout.JAVA_DOUBLE, (long) m * n * Double.BYTES, m);
            MemorySegment tau = Checks.doubles(arena, cols);
            Checks.info("dgeqrf", OpenBlas.dgeqrf(m, cols, w, m, tau));
            return upperDouble(w, m, cols, Math.min(m, cols));
        }
    }

    /** R (k×n, row-major) from the upper triangle of the column-major m×n factored matrix. */
    private static double[] upperDouble(MemorySegment factored, int m, int n, int k) {
        double[] r = new double[k * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i <= Math.min(j, k - 1); i++) {
                r[i * n + j] = factored.getAtIndex(ValueLayout.JAVA_DOUBLE, (long) j * m + i);
            }
        }
        return r;
    }
}
