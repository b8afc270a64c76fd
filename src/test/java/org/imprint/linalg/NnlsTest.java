package org.imprint.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.imprint.kernels.OpenBlas;
import org.junit.jupiter.api.Test;

/**
 * NNLS against exhaustive search over all supports (n ≤ 8) and against the KKT conditions of its solution, for
 * square, tall, wide and rank-deficient A, on both backends of the tall-matrix compression.
 */
class NnlsTest {
    private static Backend[] backends() {
        return OpenBlas.hasLapack() ? new Backend[] {Backend.JAVA, Backend.NATIVE} : new Backend[] {Backend.JAVA};
    }

    @Test
    void identityClipsNegativeComponents() {
        double[] a = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        Nnls.Result r = Nnls.solve(a, 3, 3, new double[] {1, -2, 3});
        assertArrayEquals(new double[] {1, 0, 3}, r.x(), 1e-14);
        assertEquals(2.0, r.residualNorm(), 1e-14);
        assertTrue(r.converged());
    }

    @Test
    void matchesExhaustiveSearchOnSmallProblems() {
        Random random = new Random(2024);
        int[][] shapes = {{10, 5}, {8, 8}, {6, 8}, {20, 3}, {3, 1}, {12, 7}};
        for (Backend backend : backends()) {
            for (int trial = 0; trial < 20; trial++) {
                int[] shape = shapes[trial % shapes.length];
                int m = shape[0], n = shape[1];
                double[] a = DenseContract.gaussian(random, m * n);
                if (trial % 4 == 3 && n >= 3) {  // rank-deficient: column 2 = column 0 + column 1
                    for (int i = 0; i < m; i++) a[i * n + 2] = a[i * n] + a[i * n + 1];
                }
                double[] b = DenseContract.gaussian(random, m);
                double[] aCopy = a.clone(), bCopy = b.clone();
                Nnls.Result result = Nnls.solve(a, m, n, b, -1, -1, backend);
                assertArrayEquals(aCopy, a);
                assertArrayEquals(bCopy, b);
                double best = bruteForce(a, m, n, b);
                String what = backend + " trial " + trial + " " + m + "x" + n;
                assertTrue(result.converged(), what);
                assertEquals(best, result.residualNorm(), 1e-9 * (1 + best), what);
                assertEquals(residualNorm(a, m, n, b, result.x()), result.residualNorm(), 1e-9 * (1 + best), what);
                assertKkt(a, m, n, b, result.x(), 1e-8, what);
            }
        }
    }

    @Test
    void tallProblemSatisfiesKktOnBothBackends() {
        Random random = new Random(5);
        int m = 2000, n = 30;
        double[] a = DenseContract.gaussian(random, m * n);
        double[] truth = new double[n];
        for (int j = 0; j < n; j++) truth[j] = j % 3 == 0 ? 0 : random.nextDouble();
        double[] b = DenseContract.multiply(a, m, n, truth, 1);
        for (int i = 0; i < m; i++) b[i] += 0.5 * random.nextGaussian() - 0.3 * a[i * n];  // push x_0 below zero
        Nnls.Result first = null;
        for (Backend backend : backends()) {
            Nnls.Result r = Nnls.solve(a, m, n, b, -1, -1, backend);
            assertTrue(r.converged());
            assertTrue(r.iterations() > 0 && r.iterations() <= 3 * n);
            assertEquals(residualNorm(a, m, n, b, r.x()), r.residualNorm(), 1e-9 * r.residualNorm());
            assertKkt(a, m, n, b, r.x(), 1e-7, "tall " + backend);
            if (first != null) assertArrayEquals(first.x(), r.x(), 1e-10);
            first = r;
        }
    }

    @Test
    void rankDeficientTallProblemConverges() {
        Random random = new Random(11);
        int m = 200, n = 8;
        double[] a = DenseContract.lowRank(random, m, n, 3);
        double[] b = DenseContract.gaussian(random, m);
        Nnls.Result r = Nnls.solve(a, m, n, b);
        assertTrue(r.converged());
        assertEquals(bruteForce(a, m, n, b), r.residualNorm(), 1e-8 * (1 + r.residualNorm()));
        assertKkt(a, m, n, b, r.x(), 1e-7, "rank-deficient tall");
    }

    @Test
    void iterationLimitIsReported() {
        Random random = new Random(13);
        double[] a = DenseContract.gaussian(random, 40 * 10);
        double[] b = DenseContract.gaussian(random, 40);
        Nnls.Result r = Nnls.solve(a, 40, 10, b, -1, 1, Backend.AUTO);
        assertTrue(r.iterations() <= 1);
        for (double v : r.x()) assertTrue(v >= 0);
    }

    @Test
    void badInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Nnls.solve(new double[] {Double.NaN}, 1, 1, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Nnls.solve(new double[4], 2, 2, new double[3]));
        assertThrows(IllegalArgumentException.class,
                () -> Nnls.solve(new double[4], 2, 2, new double[2], Double.NaN, -1, Backend.AUTO));
    }

    /** The least residual over all supports whose unconstrained least-squares solution is feasible. */
    private static double bruteForce(double[] a, int m, int n, double[] b) {
        double best = DenseContract.norm(b);  // empty support: x = 0
        for (int mask = 1; mask < (1 << n); mask++) {
            int size = Integer.bitCount(mask);
            DMatrixRMaj sub = new DMatrixRMaj(m, size);
            for (int i = 0; i < m; i++) {
                for (int j = 0, c = 0; j < n; j++) if ((mask >> j & 1) != 0) sub.set(i, c++, a[i * n + j]);
            }
            DMatrixRMaj pinv = new DMatrixRMaj(size, m);
            CommonOps_DDRM.pinv(sub, pinv);
            DMatrixRMaj z = new DMatrixRMaj(size, 1);
            CommonOps_DDRM.mult(pinv, new DMatrixRMaj(m, 1, true, b), z);
            double[] x = new double[n];
            boolean feasible = true;
            for (int j = 0, c = 0; j < n; j++) {
                if ((mask >> j & 1) == 0) continue;
                x[j] = z.get(c++);
                if (x[j] < -1e-12) feasible = false;
                x[j] = Math.max(0, x[j]);
            }
            if (feasible) best = Math.min(best, residualNorm(a, m, n, b, x));
        }
        return best;
    }

    /** x ≥ 0, w = Aᵀ(b − Ax) ≤ tol (no descent direction), and |w_j| ≤ tol where x_j > 0. */
    private static void assertKkt(double[] a, int m, int n, double[] b, double[] x, double relTol, String what) {
        double[] residual = b.clone();
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) residual[i] -= a[i * n + j] * x[j];
        double scale = DenseContract.norm(a) * (DenseContract.norm(b) + 1);
        for (int j = 0; j < n; j++) {
            assertTrue(x[j] >= 0, what + ": x_" + j + " = " + x[j]);
            double w = 0;
            for (int i = 0; i < m; i++) w += a[i * n + j] * residual[i];
            assertTrue(w <= relTol * scale, what + ": gradient w_" + j + " = " + w);
            if (x[j] > 0) assertTrue(Math.abs(w) <= relTol * scale, what + ": slackness w_" + j + " = " + w);
        }
    }

    private static double residualNorm(double[] a, int m, int n, double[] b, double[] x) {
        double[] residual = b.clone();
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) residual[i] -= a[i * n + j] * x[j];
        return DenseContract.norm(residual);
    }
}
