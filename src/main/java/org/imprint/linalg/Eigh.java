package org.imprint.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.imprint.kernels.OpenBlas;

/**
 * Eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric row-major n×n matrix: eigenvalues in ascending order and
 * orthonormal eigenvectors as the columns of V (column j belongs to λ_j). Only the lower triangle of A (row ≥
 * column) is read; the upper triangle is assumed to mirror it. Native: LAPACK {@code ?syevd}; Java: cyclic
 * Jacobi rotations.
 */
public final class Eigh {
    private Eigh() {}

    /** Eigenvalues (ascending) and the row-major n×n matrix whose columns are the eigenvectors. */
    public record Result(double[] values, double[] vectors, int n) {}

    /** Float32 {@link Result}. */
    public record FloatResult(float[] values, float[] vectors, int n) {}

    /** On {@link Backend#AUTO}. @param a n×n row-major symmetric, finite. Not modified. */
    public static Result decompose(double[] a, int n) {
        return decompose(a, n, Backend.AUTO);
    }

    /** On the given backend. @param a n×n row-major symmetric, finite. Not modified. */
    public static Result decompose(double[] a, int n, Backend backend) {
        Checks.matrix("eigh", "A", a, n, n);
        if (n == 0) return new Result(new double[0], new double[0], 0);
        if (!backend.useNative()) {
            double[][] vv = JavaDense.eigh(a, n);
            return new Result(vv[0], vv[1], n);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.copyIn(arena, a);  // row-major lower triangle = column-major upper
            MemorySegment values = Checks.doubles(arena, n);
            Checks.info("dsyevd", OpenBlas.dsyevd('V', 'U', n, w, n, values));
            return new Result(Checks.copyOutDouble(values, n), Checks.rowMajorDouble(w, n, n, n), n);
        }
    }

    /** Float32 on {@link Backend#AUTO}. @param a n×n row-major symmetric, finite. Not modified. */
    public static FloatResult decompose(float[] a, int n) {
        return decompose(a, n, Backend.AUTO);
    }

    /**
     * Float32 on the given backend (the Java backend computes in float64 and rounds).
     * @param a n×n row-major symmetric, finite. Not modified.
     */
    public static FloatResult decompose(float[] a, int n, Backend backend) {
        Checks.matrix("eigh", "A", a, n, n);
        if (n == 0) return new FloatResult(new float[0], new float[0], 0);
        if (!backend.useNative()) {
            double[][] vv = JavaDense.eigh(Checks.toDouble(a), n);
            return new FloatResult(Checks.toFloat(vv[0]), Checks.toFloat(vv[1]), n);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Checks.copyIn(arena, a);  // row-major lower triangle = column-major upper
            MemorySegment values = Checks.floats(arena, n);
            Checks.info("ssyevd", OpenBlas.ssyevd('V', 'U', n, w, n, values));
            return new FloatResult(Checks.copyOutFloat(values, n), Checks.rowMajorFloat(w, n, n, n), n);
        }
    }
}
