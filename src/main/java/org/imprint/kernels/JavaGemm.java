package org.imprint.kernels;

import java.util.stream.IntStream;

/**
 * Pure-Java GEMM: C = alpha·op(A)·op(B) + beta·C on row-major arrays, with the same contract as
 * {@link Blas#dgemm} (which validates the arguments before calling here).
 *
 * <p>Algorithm: C is first scaled by beta (set to 0 when beta == 0, so NaNs in the old C are ignored). Then, for
 * blocks of {@value #KC} rows of op(B) and {@value #NC} columns, the block is packed row-major into a contiguous
 * buffer (this is where a transposed B is un-transposed), and every row i of C receives
 * {@code C[i, j] += sum_p alpha·op(A)[i, p]·Bpacked[p, j]} four values of p at a time, an i-k-j loop whose innermost
 * loop (over j, unit stride) the JIT vectorises. Rows of C are split into {@code threads} contiguous parts that
 * run on the common fork-join pool when the product is large enough. Float products accumulate in float, like BLAS.
 */
public final class JavaGemm {
    static final int KC = 128;
    static final int NC = 512;
    /** Below this many multiply-adds a product runs on the calling thread only. */
    static final long PARALLEL_MIN_WORK = 1L << 21;

    private JavaGemm() {}

    /** See {@link Blas#dgemm}; arguments must already be valid. Uses {@code threads} threads (≥ 1). */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
                             int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc,
                             int threads) {
        if (m == 0 || n == 0) return;
        int parts = partsFor(m, n, k, threads);
        if (parts == 1) {
            dgemmRows(transA, transB, 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            IntStream.range(0, parts).parallel().forEach(part -> dgemmRows(transA, transB,
                    (int) ((long) m * part / parts), (int) ((long) m * (part + 1) / parts),
                    n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    /** See {@link Blas#sgemm}; arguments must already be valid. Uses {@code threads} threads (≥ 1). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                             int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                             int threads) {
        if (m == 0 || n == 0) return;
        int parts = partsFor(m, n, k, threads);
        if (parts == 1) {
            sgemmRows(transA, transB, 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            IntStream.range(0, parts).parallel().forEach(part -> sgemmRows(transA, transB,
                    (int) ((long) m * part / parts), (int) ((long) m * (part + 1) / parts),
                    n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    private static int partsFor(int m, int n, int k, int threads) {
        long work = (long) m * n * Math.max(k, 1);
        if (threads <= 1 || work < PARALLEL_MIN_WORK) return 1;
        return Math.min(threads, m);
    }

    /** Rows [rowStart, rowEnd) of C. */
    private static void dgemmRows(boolean transA, boolean transB, int rowStart, int rowEnd, int n, int k,
                                  double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                  double beta, double[] c, int cOff, int ldc) {
        for (int i = rowStart; i < rowEnd; i++) {
            int row = cOff + i * ldc;
            if (beta == 0.0) java.util.Arrays.fill(c, row, row + n, 0.0);
            else if (beta != 1.0) for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
        if (k == 0 || alpha == 0.0) return;
        double[] packed = new double[Math.min(KC, k) * Math.min(NC, n)];
        // op(A)[i, p] = a[aOff + i*strideI + p*strideP]
        int strideI = transA ? 1 : lda;
        int strideP = transA ? lda : 1;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    int dst = p * nc;
                    if (transB) {
                        int src = bOff + jc * ldb + (pc + p);
                        for (int j = 0; j < nc; j++) packed[dst + j] = b[src + j * ldb];
                    } else {
                        System.arraycopy(b, bOff + (pc + p) * ldb + jc, packed, dst, nc);
                    }
                }
                for (int i = rowStart; i < rowEnd; i++) {
                    int row = cOff + i * ldc + jc;
                    int aRow = aOff + i * strideI + pc * strideP;
                    int p = 0;
                    for (; p + 3 < kc; p += 4) {
                        double a0 = alpha * a[aRow + p * strideP];
                        double a1 = alpha * a[aRow + (p + 1) * strideP];
                        double a2 = alpha * a[aRow + (p + 2) * strideP];
                        double a3 = alpha * a[aRow + (p + 3) * strideP];
                        int b0 = p * nc;
                        int b1 = b0 + nc;
                        int b2 = b1 + nc;
                        int b3 = b2 + nc;
                        for (int j = 0; j < nc; j++) {
                            c[row + j] += a0 * packed[b0 + j] + a1 * packed[b1 + j]
                                    + a2 * packed[b2 + j] + a3 * packed[b3 + j];
                        }
                    }
                    for (; p < kc; p++) {
                        double a0 = alpha * a[aRow + p * strideP];
                        int b0 = p * nc;
                        for (int j = 0; j < nc; j++) c[row + j] += a0 * packed[b0 + j];
                    }
                }
            }
        }
    }

    /** Rows [rowStart, rowEnd) of C. */
    private static void sgemmRows(boolean transA, boolean transB, int rowStart, int rowEnd, int n, int k,
                                  float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float beta, float[] c, int cOff, int ldc) {
        for (int i = rowStart; i < rowEnd; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, row, row + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
        if (k == 0 || alpha == 0f) return;
        float[] packed = new float[Math.min(KC, k) * Math.min(NC, n)];
        int strideI = transA ? 1 : lda;
        int strideP = transA ? lda : 1;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    int dst = p * nc;
                    if (transB) {
                        int src = bOff + jc * ldb + (pc + p);
                        for (int j = 0; j < nc; j++) packed[dst + j] = b[src + j * ldb];
                    } else {
                        System.arraycopy(b, bOff + (pc + p) * ldb + jc, packed, dst, nc);
                    }
                }
                for (int i = rowStart; i < rowEnd; i++) {
                    int row = cOff + i * ldc + jc;
                    int aRow = aOff + i * strideI + pc * strideP;
                    int p = 0;
                    for (; p + 3 < kc; p += 4) {
                        float a0 = alpha * a[aRow + p * strideP];
                        float a1 = alpha * a[aRow + (p + 1) * strideP];
                        float a2 = alpha * a[aRow + (p + 2) * strideP];
                        float a3 = alpha * a[aRow + (p + 3) * strideP];
                        int b0 = p * nc;
                        int b1 = b0 + nc;
                        int b2 = b1 + nc;
                        int b3 = b2 + nc;
                        for (int j = 0; j < nc; j++) {
                            c[row + j] += a0 * packed[b0 + j] + a1 * packed[b1 + j]
                                    + a2 * packed[b2 + j] + a3 * packed[b3 + j];
                        }
                    }
                    for (; p < kc; p++) {
                        float a0 = alpha * a[aRow + p * strideP];
                        int b0 = p * nc;
                        for (int j = 0; j < nc; j++) c[row + j] += a0 * packed[b0 + j];
                    }
                }
            }
        }
    }
}
