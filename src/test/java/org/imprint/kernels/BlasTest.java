package org.imprint.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GEMM against a naive triple loop in float64: every transpose combination, offsets and padded leading dimensions,
 * beta 0 / 1 / other, odd and zero sizes, f64 and f32, through {@link Blas} (native when loaded) and directly through
 * {@link JavaGemm} (single- and multi-threaded).
 */
class BlasTest {
    enum Route { BLAS, JAVA_1_THREAD, JAVA_2_THREADS }

    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {1, 257, 9}, {257, 1, 33}, {64, 64, 1}, {5, 7, 0},
            {129, 130, 131}, {3, 300, 2}};
        List<Arguments> list = new ArrayList<>();
        for (Route route : Route.values()) {
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    for (double beta : new double[] {0.0, 1.0, -0.5}) {
                        list.add(Arguments.of(route, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, beta));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} tA={4} tB={5} beta={6}")
    @MethodSource("cases")
    void matchesNaiveProduct(Route route, int m, int n, int k, boolean transA, boolean transB, double beta) {
        Random random = new Random(m * 31L + n * 7L + k);
        double alpha = 1.25;
        // stored shapes, padded leading dimensions, offsets
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 2, ldc = n + 1;
        int aOff = 5, bOff = 2, cOff = 4;
        double[] a = gaussian(random, aOff + aRows * lda);
        double[] b = gaussian(random, bOff + bRows * ldb);
        double[] c = gaussian(random, cOff + m * ldc + 3);
        if (beta == 0.0) for (int i = 0; i < m; i++) c[cOff + i * ldc] = Double.NaN;  // must be ignored
        double[] expected = naive(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        double[] c64 = c.clone();
        float[] af = toFloat(a), bf = toFloat(b), c32 = toFloat(c);
        switch (route) {
            case BLAS -> {
                Blas.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c64, cOff, ldc);
                Blas.sgemm(transA, transB, m, n, k, (float) alpha, af, aOff, lda, bf, bOff, ldb, (float) beta, c32, cOff, ldc);
            }
            case JAVA_1_THREAD, JAVA_2_THREADS -> {
                int threads = route == Route.JAVA_1_THREAD ? 1 : 2;
                JavaGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c64, cOff, ldc, threads);
                JavaGemm.sgemm(transA, transB, m, n, k, (float) alpha, af, aOff, lda, bf, bOff, ldb, (float) beta, c32,
                        cOff, ldc, threads);
            }
        }
        double scale = Math.sqrt(Math.max(k, 1)) * 4;
        for (int i = 0; i < c.length; i++) {
            assertEquals(expected[i], c64[i], 1e-12 * scale, "f64 element " + i);
            assertEquals(expected[i], c32[i], 2e-5 * scale, "f32 element " + i);
        }
    }

    @Test
    void largeProductsAgreeBetweenNativeAndJava() {
        Random random = new Random(3);
        int m = 300, n = 200, k = 500;
        double[] a = gaussian(random, m * k), b = gaussian(random, n * k);
        double[] viaBlas = new double[m * n], viaJava = new double[m * n];
        Blas.dgemm(false, true, m, n, k, 1.0, a, 0, k, b, 0, k, 0.0, viaBlas, 0, n);
        JavaGemm.dgemm(false, true, m, n, k, 1.0, a, 0, k, b, 0, k, 0.0, viaJava, 0, n, 2);
        assertArrayEquals(viaJava, viaBlas, 1e-11);
    }

    @Test
    void kZeroScalesCByBeta() {
        double[] c = {1, 2, 3, 4};
        Blas.dgemm(false, false, 2, 2, 0, 1.0, new double[0], 0, 1, new double[2], 0, 2, 3.0, c, 0, 2);
        assertArrayEquals(new double[] {3, 6, 9, 12}, c);
        float[] cf = {1, Float.NaN, 3, 4};
        Blas.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[2], 0, 2, 0f, cf, 0, 2);
        assertArrayEquals(new float[] {0, 0, 0, 0}, cf);
    }

    @Test
    void zeroRowsOrColumnsTouchNothing() {
        double[] c = {7};
        Blas.dgemm(false, false, 0, 5, 3, 1.0, new double[0], 0, 3, new double[15], 0, 5, 0.0, new double[0], 0, 5);
        Blas.dgemm(false, false, 1, 0, 3, 1.0, new double[3], 0, 3, new double[0], 0, 1, 0.0, c, 0, 1);
        assertEquals(7, c[0]);
    }

    @Test
    void badArgumentsThrowWithTheBadValue() {
        double[] a = new double[6], b = new double[6], c = new double[4];
        var e = assertThrows(IllegalArgumentException.class,
                () -> Blas.dgemm(false, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2));
        assertTrue(e.getMessage().contains("lda=2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Blas.dgemm(false, false, 2, 2, 3, 1, a, 1, 3, b, 0, 2, 0, c, 0, 2));
        assertTrue(e.getMessage().contains("needs 7 elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Blas.dgemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, false, 2, 2, 3, 1, null, 0, 3, new float[6], 0, 2, 0, new float[4], 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Blas.dgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Blas.setThreads(0));
    }

    /** Small products run on one OpenBLAS thread and leave the configured count in place; results equal a large call's. */
    @Test
    void smallProductsRunSingleThreadedAndRestoreTheThreadCount() {
        int before = Blas.threads();
        try {
            Blas.setThreads(2);
            int m = 128, n = 128, k = 64; // 1.0e6 multiply-adds: OpenBLAS would split it, Imprint keeps it on one thread
            assertTrue((long) m * n * k < Blas.PARALLEL_MIN_WORK && (long) m * n * k > Blas.OPENBLAS_SINGLE_THREAD_WORK);
            assertTrue(Blas.runsOnCallingThread(64, 64, 16));
            assertFalse(Blas.runsOnCallingThread(m, n, k));
            double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
            for (int i = 0; i < a.length; i++) a[i] = Math.sin(i);
            for (int i = 0; i < b.length; i++) b[i] = Math.cos(i);
            Blas.dgemm(false, false, m, n, k, 1.0, a, 0, k, b, 0, n, 0.0, c, 0, n);
            assertEquals(2, Blas.threads());
            if (OpenBlas.isAvailable()) assertEquals(2, OpenBlas.threads(), "the configured count is unchanged by the call");
            for (int i = 0; i < m; i += 17) {
                for (int j = 0; j < n; j += 13) {
                    double expected = 0;
                    for (int p = 0; p < k; p++) expected += a[i * k + p] * b[p * n + j];
                    assertEquals(expected, c[i * n + j], 1e-12);
                }
            }
            float[] af = new float[m * k], bf = new float[k * n], cf = new float[m * n];
            Blas.sgemm(false, false, m, n, k, 1f, af, 0, k, bf, 0, n, 0f, cf, 0, n);
            if (OpenBlas.isAvailable()) assertEquals(2, OpenBlas.threads());
        } finally {
            Blas.setThreads(before);
        }
    }

    @Test
    void threadsAndBackendAreReported() {
        int before = Blas.threads();
        try {
            Blas.setThreads(1);
            assertEquals(1, Blas.threads());
            if (OpenBlas.isAvailable()) assertEquals(1, OpenBlas.threads());
        } finally {
            Blas.setThreads(before);
        }
        String backend = Blas.backend();
        assertFalse(backend.isBlank());
        if (OpenBlas.isAvailable()) assertTrue(backend.startsWith("OpenBLAS "), backend);
        else assertTrue(backend.startsWith("pure Java (OpenBLAS unavailable: "), backend);
    }

    /** The reference: C(i,j) = alpha·Σ_p op(A)(i,p)·op(B)(p,j) + beta·C(i,j) in float64; beta 0 ignores old C. */
    static double[] naive(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
                          int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        double[] out = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += x * y;
                }
                double old = c[cOff + i * ldc + j];
                out[cOff + i * ldc + j] = alpha * sum + (beta == 0.0 ? 0.0 : beta * old);
            }
        }
        return out;
    }

    private static double[] gaussian(Random random, int count) {
        double[] x = new double[count];
        for (int i = 0; i < count; i++) x[i] = random.nextGaussian();
        return x;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
