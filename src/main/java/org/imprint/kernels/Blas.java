package org.imprint.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Matrix products on row-major arrays: the one entry point the rest of Imprint uses.
 *
 * <p>Products go to native OpenBLAS ({@link OpenBlas}) when it is loaded and the product is large enough that the
 * call pays for itself ({@code m·n·k >= }{@value #NATIVE_MIN_WORK}); otherwise, and whenever OpenBLAS is unavailable,
 * to the pure-Java {@link JavaGemm}. {@link #backend()} says which library is in use.
 *
 * <p>Matrix contract (row-major, as CBLAS {@code CblasRowMajor}): the stored matrix X with r rows and c columns
 * occupies {@code x[xOff + i*ldx + j]} for {@code 0 <= i < r, 0 <= j < c}, with {@code ldx >= max(1, c)}. With
 * {@code transA}, A is stored k×m and op(A) = Aᵀ; otherwise A is stored m×k. Likewise B is stored n×k with
 * {@code transB}, k×n without. C is always m×n. Bad shapes, leading dimensions or bounds throw
 * {@link IllegalArgumentException} before anything is computed.
 */
public final class Blas {
    /**
     * Products with fewer multiply-adds than this run in Java. Measured on Zen 4 (one thread, f64): an FFM call
     * into OpenBLAS costs about 70 ns, so Java wins only below 4³ (2³: 35 ns Java, 70 ns native; 4³: equal;
     * 8³: 270 ns Java, 100 ns native; 16³: 1.5 µs Java, 0.3 µs native).
     */
    public static final long NATIVE_MIN_WORK = 4L * 4 * 4;

    /**
     * Products with fewer multiply-adds than this run on one OpenBLAS thread even when {@link #threads()} is larger
     * (OpenBLAS itself splits anything above {@link #OPENBLAS_SINGLE_THREAD_WORK}). Measured on 2 cores, idle, in a
     * loop of the same product: two threads start to win at about 4e6 (1024·64·64 f32: 0.12 ms on one, 0.06 ms on
     * two; 256³: 0.38 vs 0.23 ms), so smaller products keep one thread and spare the hand-off.
     */
    public static final long PARALLEL_MIN_WORK = 1L << 22;

    /**
     * OpenBLAS itself runs products of at most this many multiply-adds on the calling thread (its
     * SMP_THRESHOLD_MIN 65536 × GEMM_MULTITHREAD_THRESHOLD 4, interface/gemm.c), and Imprint leaves its thread
     * count alone for them: such products may be issued from several Java threads at once.
     */
    public static final long OPENBLAS_SINGLE_THREAD_WORK = 65536L * 4;

    /** Whether an m×n×k product runs on the calling thread alone without touching the thread count (see above). */
    public static boolean runsOnCallingThread(int m, int n, int k) {
        return (long) m * n * k <= OPENBLAS_SINGLE_THREAD_WORK || !OpenBlas.isAvailable() && threads == 1;
    }

    private static volatile int threads = initialThreads();

    private Blas() {}

    /**
     * C = alpha·op(A)·op(B) + beta·C in float64, where op(X) = Xᵀ when the flag is set. If k == 0 or alpha == 0,
     * C = beta·C. If beta == 0, C is overwritten (old values, NaN included, are ignored).
     *
     * @param a Not modified. @param b Not modified. @param c Modified: rows 0..m-1, columns 0..n-1 of the view.
     */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
                             int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        checkShape(m, n, k);
        checkMatrix("A", a == null ? -1 : a.length, aOff, transA ? k : m, transA ? m : k, lda);
        checkMatrix("B", b == null ? -1 : b.length, bOff, transB ? n : k, transB ? k : n, ldb);
        checkMatrix("C", c == null ? -1 : c.length, cOff, m, n, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0.0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (OpenBlas.isAvailable() && (long) m * n * k >= NATIVE_MIN_WORK) {
            chooseThreads(m, n, k);
            OpenBlas.dgemm(transA, transB, m, n, k, alpha, slice(a, aOff), lda, slice(b, bOff), ldb, beta,
                    slice(c, cOff), ldc);
        } else {
            JavaGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, threads);
        }
    }

    /** Float32 version of {@link #dgemm}, same contract; accumulates in float32 as BLAS does. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                             int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        checkShape(m, n, k);
        checkMatrix("A", a == null ? -1 : a.length, aOff, transA ? k : m, transA ? m : k, lda);
        checkMatrix("B", b == null ? -1 : b.length, bOff, transB ? n : k, transB ? k : n, ldb);
        checkMatrix("C", c == null ? -1 : c.length, cOff, m, n, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (OpenBlas.isAvailable() && (long) m * n * k >= NATIVE_MIN_WORK) {
            chooseThreads(m, n, k);
            OpenBlas.sgemm(transA, transB, m, n, k, alpha, slice(a, aOff), lda, slice(b, bOff), ldb, beta,
                    slice(c, cOff), ldc);
        } else {
            JavaGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, threads);
        }
    }

    /**
     * One OpenBLAS thread for a product below {@link #PARALLEL_MIN_WORK} that OpenBLAS would otherwise split, the
     * configured count for larger ones; products OpenBLAS keeps on the calling thread anyway leave the count alone.
     */
    private static void chooseThreads(int m, int n, int k) {
        long work = (long) m * n * k;
        if (threads <= 1 || work <= OPENBLAS_SINGLE_THREAD_WORK) return;
        OpenBlas.useThreads(work < PARALLEL_MIN_WORK ? 1 : threads);
    }

    /** Sets the number of threads used by matrix products (OpenBLAS and the Java fallback); {@code n >= 1}. */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
        OpenBlas.setThreads(n);
    }

    /** The number of threads used by matrix products. */
    public static int threads() {
        return threads;
    }

    /**
     * The library doing the work, e.g. {@code "OpenBLAS 0.3.31 (native, FFM): OpenBLAS 0.3.31 DYNAMIC_ARCH ..."} or
     * {@code "pure Java (OpenBLAS unavailable: <reason>)"}.
     */
    public static String backend() {
        if (!OpenBlas.isAvailable()) return "pure Java (OpenBLAS unavailable: " + OpenBlas.failureReason() + ")";
        String description = OpenBlas.description();
        String version = description.startsWith("OpenBLAS ") ? description.split(" ")[1] : "";
        return "OpenBLAS " + version + " (native, FFM): " + description;
    }

    private static int initialThreads() {
        return OpenBlas.isAvailable() ? Math.max(1, OpenBlas.threads()) : Runtime.getRuntime().availableProcessors();
    }

    private static MemorySegment slice(double[] x, int offset) {
        return MemorySegment.ofArray(x).asSlice((long) offset * Double.BYTES);
    }

    private static MemorySegment slice(float[] x, int offset) {
        return MemorySegment.ofArray(x).asSlice((long) offset * Float.BYTES);
    }

    private static void scale(int m, int n, double beta, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0.0) java.util.Arrays.fill(c, row, row + n, 0.0);
            else if (beta != 1.0) for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
    }

    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, row, row + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
    }

    private static void checkShape(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm dimensions must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
    }

    /** Checks that a stored rows×cols matrix with leading dimension ld fits in an array of the given length. */
    static void checkMatrix(String name, int length, int offset, int rows, int cols, int ld) {
        if (length < 0) throw new IllegalArgumentException("gemm: array " + name + " is null");
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("gemm: ld" + name.toLowerCase() + "=" + ld + " < max(1, " + cols
                    + ") for the stored " + rows + "x" + cols + " matrix " + name);
        }
        if (rows == 0 || cols == 0) return;
        long last = (long) offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || last > length) {
            throw new IllegalArgumentException("gemm: stored " + rows + "x" + cols + " matrix " + name + " at offset "
                    + offset + " with ld=" + ld + " needs " + last + " elements, array has " + length);
        }
    }
}
