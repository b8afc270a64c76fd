package org.imprint.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.imprint.kernels.Blas;
import org.imprint.kernels.OpenBlas;

/**
 * Thin singular value decomposition A = U·diag(S)·Vᵀ of a row-major m×n matrix, k = min(m, n): U is m×k and V is
 * n×k with orthonormal columns, S holds the k singular values in descending order, all ≥ 0. No sign convention
 * for the singular vectors. Native: LAPACK {@code ?gesdd} (divide and conquer, jobz 'S'), after a QR of A when A is
 * tall (m ≥ 11n/6); Java: one-sided Jacobi, after a Householder QR when m &gt; n.
 */
public final class Svd {
    private Svd() {}

    /** U (m×k), S (k, descending), Vᵀ (k×n), row-major. */
    public record Result(double[] u, double[] s, double[] vt, int m, int n, int k) {}

    /** Float32 {@link Result}. */
    public record FloatResult(float[] u, float[] s, float[] vt, int m, int n, int k) {}

    /**
     * Whether the native route first reduces A to its n×n triangle R (A = Q·R, R = U_R·S·Vᵀ, U = Q·U_R): for
     * m ≥ 11n/6, the crossover LAPACK itself uses. LAPACK's {@code dgesdd} does the same internally, but doing the
     * steps separately (QR, a small {@code gesdd}, one GEMM) measured about 35% faster for 4096×64 on one thread,
     * with identical singular values.
     */
    private static boolean isTall(int m, int n) {
        return 6L * m >= 11L * n && n > 1;
    }

    /** Thin SVD on {@link Backend#AUTO}. @param a m×n row-major, finite. Not modified. */
    public static Result factor(double[] a, int m, int n) {
        return factor(a, m, n, Backend.AUTO);
    }

    /** Thin SVD on the given backend. @param a m×n row-major, finite. Not modified. */
    public static Result factor(double[] a, int m, int n, Backend backend) {
        Checks.matrix("svd", "A", a, m, n);
        int k = Math.min(m, n);
        if (k == 0) return new Result(new double[0], new double[0], new double[0], m, n, k);
        if (!backend.useNative()) {
            double[][] usv = JavaDense.svd(a, m, n);
            return new Result(usv[0], usv[1], usv[2], m, n, k);
        }
        if (isTall(m, n)) {
            Qr.Result qr = Qr.factor(a, m, n, backend);
            Result small = factor(qr.r(), n, n, backend);
            double[] u = new double[m * n];
            Blas.dgemm(false, false, m, n, n, 1.0, qr.q(), 0, n, small.u(), 0, n, 0.0, u, 0, n);
            return new Result(u, small.s(), small.vt(), m, n, k);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment s = Checks.doubles(arena, k);
            MemorySegment u = Checks.doubles(arena, (long) m * k);
            MemorySegment vt = Checks.doubles(arena, (long) k * n);
            Checks.info("dgesdd", OpenBlas.dgesdd('S', m, n, w, m, s, u, m, vt, k));
            return new Result(Checks.rowMajorDouble(u, m, k, m), Checks.copyOutDouble(s, k),
                    Checks.rowMajorDouble(vt, k, n, k), m, n, k);
        }
    }

    /** Thin SVD in float32 on {@link Backend#AUTO}. @param a m×n row-major, finite. Not modified. */
    public static FloatResult factor(float[] a, int m, int n) {
        return factor(a, m, n, Backend.AUTO);
    }

    /**
     * Thin SVD in float32 on the given backend (the Java backend computes in float64 and rounds).
     * @param a m×n row-major, finite. Not modified.
     */
    public static FloatResult factor(float[] a, int m, int n, Backend backend) {
        Checks.matrix("svd", "A", a, m, n);
        int k = Math.min(m, n);
        if (k == 0) return new FloatResult(new float[0], new float[0], new float[0], m, n, k);
        if (!backend.useNative()) {
            double[][] usv = JavaDense.svd(Checks.toDouble(a), m, n);
            return new FloatResult(Checks.toFloat(usv[0]), Checks.toFloat(usv[1]), Checks.toFloat(usv[2]), m, n, k);
        }
        if (isTall(m, n)) {
            Qr.FloatResult qr = Qr.factor(a, m, n, backend);
            FloatResult small = factor(qr.r(), n, n, backend);
            float[] u = new float[m * n];
            Blas.sgemm(false, false, m, n, n, 1f, qr.q(), 0, n, small.u(), 0, n, 0f, u, 0, n);
            return new FloatResult(u, small.s(), small.vt(), m, n, k);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment s = Checks.floats(arena, k);
            MemorySegment u = Checks.floats(arena, (long) m * k);
            MemorySegment vt = Checks.floats(arena, (long) k * n);
            Checks.info("sgesdd", OpenBlas.sgesdd('S', m, n, w, m, s, u, m, vt, k));
            return new FloatResult(Checks.rowMajorFloat(u, m, k, m), Checks.copyOutFloat(s, k),
                    Checks.rowMajorFloat(vt, k, n, k), m, n, k);
        }
    }
}
