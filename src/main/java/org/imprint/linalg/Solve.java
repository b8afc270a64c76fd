package org.imprint.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.imprint.kernels.OpenBlas;

/**
 * Linear systems on row-major float64 arrays: {@link #solve} for square A X = B (LU with partial pivoting;
 * LAPACK {@code dgesv}) and {@link #leastSquares} for min ‖A X − B‖ (minimum-norm solution through the SVD;
 * LAPACK {@code dgelsd}).
 */
public final class Solve {
    private Solve() {}

    /** Least-squares solution X (n×r), the effective rank of A and its singular values (descending). */
    public record LeastSquares(double[] x, int rank, double[] singularValues, int n, int r) {}

    /** {@link #solve(double[], int, double[], int, Backend)} on {@link Backend#AUTO}. */
    public static double[] solve(double[] a, int n, double[] b, int r) {
        return solve(a, n, b, r, Backend.AUTO);
    }

    /**
     * Solves A X = B.
     * @param a n×n row-major, finite. Not modified.
     * @param b n×r row-major, finite. Not modified.
     * @return X, n×r row-major
     * @throws ArithmeticException when A is singular (a pivot of its LU factorization is exactly zero)
     */
    public static double[] solve(double[] a, int n, double[] b, int r, Backend backend) {
        Checks.matrix("solve", "A", a, n, n);
        Checks.matrix("solve", "B", b, n, r);
        if (n == 0 || r == 0) return new double[n * r];
        if (!backend.useNative()) return JavaDense.solve(a, n, b, r);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lu = Checks.colMajor(arena, a, n, n, n);
            MemorySegment x = Checks.colMajor(arena, b, n, r, n);
            int info = OpenBlas.dgesv(n, r, lu, n, x, n);
            if (info > 0) {
                throw new ArithmeticException("matrix is singular: pivot " + info + " of " + n + " is exactly zero");
            }
            Checks.info("dgesv", info);
            return Checks.rowMajorDouble(x, n, r, n);
        }
    }

    /** {@link #leastSquares(double[], int, int, double[], int, double, Backend)} with rcond = ε·max(m, n), AUTO. */
    public static LeastSquares leastSquares(double[] a, int m, int n, double[] b, int r) {
        return leastSquares(a, m, n, b, r, Math.ulp(1.0) * Math.max(m, n), Backend.AUTO);
    }

    /**
     * Minimum-norm least squares: the X of smallest ‖X‖ among the minimizers of ‖A X − B‖_F. Singular values
     * σ ≤ rcond·σ_max are treated as zero (this sets the rank).
     * @param a m×n row-major, finite. Not modified.
     * @param b m×r row-major, finite. Not modified.
     */
    public static LeastSquares leastSquares(double[] a, int m, int n, double[] b, int r, double rcond, Backend backend) {
        Checks.matrix("lstsq", "A", a, m, n);
        Checks.matrix("lstsq", "B", b, m, r);
        if (!(rcond >= 0.0) || Double.isInfinite(rcond)) {
            throw new IllegalArgumentException("lstsq: rcond must be finite and >= 0, got " + rcond);
        }
        int k = Math.min(m, n);
        if (k == 0 || r == 0) return new LeastSquares(new double[n * r], 0, new double[k], n, r);
        if (!backend.useNative()) {
            double[][] solution = JavaDense.leastSquares(a, m, n, b, r, rcond);
            return new LeastSquares(solution[0], (int) solution[1][0], solution[2], n, r);
        }
        int rows = Math.max(m, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.colMajor(arena, a, m, n, m);
            MemorySegment x = Checks.colMajor(arena, b, m, r, rows);
            MemorySegment s = Checks.doubles(arena, k);
            int[] infoAndRank = OpenBlas.dgelsd(m, n, r, w, m, x, rows, s, rcond);
            Checks.info("dgelsd", infoAndRank[0]);
            return new LeastSquares(Checks.rowMajorDouble(x, n, r, rows), infoAndRank[1], Checks.copyOutDouble(s, k), n, r);
        }
    }
}
