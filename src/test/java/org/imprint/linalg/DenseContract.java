package org.imprint.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Backend} must meet, in the spirit of EJML's StandardSvdChecks: reconstruction identities
 * (A = QR, QᵀQ = I, R upper triangular; U diag(S) Vᵀ = A with orthonormal U and V and S descending ≥ 0; A V = V Λ;
 * A X = B) and agreement with EJML as an independent implementation (singular values, eigenvalues, |R| diagonal and
 * Q columns up to sign, solutions), over wide, tall, square, 1×1, 1×n, n×1, zero, identity, rank-deficient and
 * tiny-scale (1e-300) matrices, in float64 and float32. Inputs must come back unmodified.
 */
abstract class DenseContract {
    /** The backend under test. */
    abstract Backend backend();

    /** A named test matrix, row-major m×n; {@code fullRank} when its columns (or rows, if wide) are independent. */
    record Case(String name, int m, int n, double[] a, boolean fullRank) {
        @Override
        public String toString() {
            return name + " " + m + "x" + n;
        }
    }

    static List<Case> cases() {
        Random random = new Random(12345);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("square", 12, 12, gaussian(random, 144), true));
        cases.add(new Case("tall", 40, 7, gaussian(random, 280), true));
        cases.add(new Case("very tall", 300, 5, gaussian(random, 1500), true));
        cases.add(new Case("wide", 5, 9, gaussian(random, 45), true));
        cases.add(new Case("1x1", 1, 1, new double[] {-3.5}, true));
        cases.add(new Case("1xn", 1, 6, gaussian(random, 6), true));
        cases.add(new Case("nx1", 6, 1, gaussian(random, 6), true));
        cases.add(new Case("zero", 6, 4, new double[24], false));
        double[] identity = new double[25];
        for (int i = 0; i < 5; i++) identity[i * 5 + i] = 1;
        cases.add(new Case("identity", 5, 5, identity, true));
        cases.add(new Case("rank 3", 10, 6, lowRank(random, 10, 6, 3), false));
        cases.add(new Case("wide rank 2", 4, 7, lowRank(random, 4, 7, 2), false));
        double[] tiny = gaussian(random, 40);
        for (int i = 0; i < tiny.length; i++) tiny[i] *= 1e-300;
        cases.add(new Case("tiny 1e-300", 8, 5, tiny, true));
        double[] huge = gaussian(random, 20);
        for (int i = 0; i < huge.length; i++) huge[i] *= 1e300;
        cases.add(new Case("huge 1e300", 4, 5, huge, true));
        return cases;
    }

    // ---------------------------------------------------------------- QR

    @Test
    void qrReconstructsWithOrthonormalQAndTriangularR() {
        for (Case c : cases()) {
            double[] input = c.a.clone();
            Qr.Result qr = Qr.factor(c.a, c.m, c.n, backend());
            assertArrayEquals(input, c.a, "input modified: " + c);
            int k = Math.min(c.m, c.n);
            assertEquals(k, qr.k());
            assertEquals(c.m * k, qr.q().length);
            assertEquals(k * c.n, qr.r().length);
            for (int i = 0; i < k; i++) for (int j = 0; j < Math.min(i, c.n); j++) assertEquals(0.0, qr.r()[i * c.n + j], c.toString());
            assertOrthonormalColumns(qr.q(), c.m, k, 1e-12, c.toString());
            assertClose(c.a, multiply(qr.q(), c.m, k, qr.r(), c.n), 1e-12 * norm(c.a), "QR = A, " + c);
            assertArrayEquals(qr.r(), Qr.r(c.a, c.m, c.n, backend()), 1e-12 * norm(c.a) + 0.0, "R only, " + c);
        }
    }

    @Test
    void qrAgreesWithEjmlUpToSigns() {
        for (Case c : cases()) {
            if (!c.fullRank || c.m < c.n || norm(c.a) < 1e-200 || norm(c.a) > 1e200) continue;
            Qr.Result qr = Qr.factor(c.a, c.m, c.n, backend());
            QRDecomposition<DMatrixRMaj> ejml = DecompositionFactory_DDRM.qr(c.m, c.n);
            assertTrue(ejml.decompose(new DMatrixRMaj(c.m, c.n, true, c.a)));
            DMatrixRMaj q = ejml.getQ(null, true);
            DMatrixRMaj r = ejml.getR(null, true);
            int k = Math.min(c.m, c.n);
            for (int j = 0; j < k; j++) {
                double mine = qr.r()[j * c.n + j];
                double theirs = r.get(j, j);
                assertEquals(Math.abs(theirs), Math.abs(mine), 1e-10 * norm(c.a), "|R_jj| " + c);
                double sign = Math.signum(mine) * Math.signum(theirs);
                for (int i = 0; i < c.m; i++) assertEquals(sign * q.get(i, j), qr.q()[i * k + j], 1e-10, "Q column " + j + " " + c);
            }
        }
    }

    @Test
    void floatQrReconstructs() {
        for (Case c : cases()) {
            if (norm(c.a) < 1e-30 && norm(c.a) > 0 || norm(c.a) > 1e30) continue;  // outside float range
            float[] a = toFloat(c.a);
            float[] input = a.clone();
            Qr.FloatResult qr = Qr.factor(a, c.m, c.n, backend());
            assertArrayEquals(input, a);
            int k = Math.min(c.m, c.n);
            assertOrthonormalColumns(toDouble(qr.q()), c.m, k, 1e-5, c.toString());
            assertClose(toDouble(a), multiply(toDouble(qr.q()), c.m, k, toDouble(qr.r()), c.n), 1e-5 * norm(c.a), "f32 QR = A, " + c);
        }
    }

    // ---------------------------------------------------------------- SVD

    @Test
    void svdReconstructsWithOrthonormalFactors() {
        for (Case c : cases()) {
            double[] input = c.a.clone();
            Svd.Result svd = Svd.factor(c.a, c.m, c.n, backend());
            assertArrayEquals(input, c.a, "input modified: " + c);
            int k = Math.min(c.m, c.n);
            assertEquals(k, svd.s().length);
            for (int i = 0; i < k; i++) {
                assertTrue(svd.s()[i] >= 0, "S >= 0, " + c);
                if (i > 0) assertTrue(svd.s()[i] <= svd.s()[i - 1], "S descending, " + c);
            }
            assertOrthonormalColumns(svd.u(), c.m, k, 1e-12, "U " + c);
            assertOrthonormalColumns(JavaDense.transpose(svd.vt(), k, c.n), c.n, k, 1e-12, "V " + c);
            double[] us = svd.u().clone();
            for (int i = 0; i < c.m; i++) for (int j = 0; j < k; j++) us[i * k + j] *= svd.s()[j];
            assertClose(c.a, multiply(us, c.m, k, svd.vt(), c.n), 1e-12 * norm(c.a), "U S Vt = A, " + c);
        }
    }

    @Test
    void singularValuesAgreeWithEjml() {
        for (Case c : cases()) {
            if (norm(c.a) < 1e-200 && norm(c.a) > 0 || norm(c.a) > 1e200) continue;  // EJML does not rescale
            Svd.Result svd = Svd.factor(c.a, c.m, c.n, backend());
            SingularValueDecomposition_F64<DMatrixRMaj> ejml = DecompositionFactory_DDRM.svd(c.m, c.n, false, false, true);
            assertTrue(ejml.decompose(new DMatrixRMaj(c.m, c.n, true, c.a)));
            double[] theirs = Arrays.copyOf(ejml.getSingularValues(), Math.min(c.m, c.n));
            Arrays.sort(theirs);
            reverse(theirs);
            assertArrayEquals(theirs, svd.s(), 1e-12 * Math.max(norm(c.a), 1e-300), c.toString());
        }
    }

    @Test
    void floatSvdReconstructs() {
        for (Case c : cases()) {
            if (norm(c.a) < 1e-30 && norm(c.a) > 0 || norm(c.a) > 1e30) continue;
            float[] a = toFloat(c.a);
            Svd.FloatResult svd = Svd.factor(a, c.m, c.n, backend());
            int k = Math.min(c.m, c.n);
            assertOrthonormalColumns(toDouble(svd.u()), c.m, k, 1e-5, "U " + c);
            assertOrthonormalColumns(JavaDense.transpose(toDouble(svd.vt()), k, c.n), c.n, k, 1e-5, "V " + c);
            double[] us = toDouble(svd.u());
            for (int i = 0; i < c.m; i++) for (int j = 0; j < k; j++) us[i * k + j] *= svd.s()[j];
            assertClose(toDouble(a), multiply(us, c.m, k, toDouble(svd.vt()), c.n), 1e-5 * norm(c.a), "f32 USVt, " + c);
            double[] exact = Svd.factor(toDouble(a), c.m, c.n, backend()).s();
            assertArrayEquals(exact, toDouble(svd.s()), 1e-5 * norm(c.a), "f32 S, " + c);
        }
    }

    // ---------------------------------------------------------------- Eigh

    @Test
    void eighGivesAscendingValuesAndOrthonormalVectors() {
        for (Case c : cases()) {
            int n = c.n;
            double[] a = symmetric(c.a, c.m, c.n);
            double[] input = a.clone();
            Eigh.Result eig = Eigh.decompose(a, n, backend());
            assertArrayEquals(input, a);
            for (int i = 1; i < n; i++) assertTrue(eig.values()[i] >= eig.values()[i - 1], "ascending, " + c);
            assertOrthonormalColumns(eig.vectors(), n, n, 1e-12, "V " + c);
            double[] av = multiply(a, n, n, eig.vectors(), n);
            double[] vl = eig.vectors().clone();
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) vl[i * n + j] *= eig.values()[j];
            assertClose(av, vl, 1e-12 * norm(a), "A V = V Lambda, " + c);
            if (norm(a) < 1e-200 && norm(a) > 0 || norm(a) > 1e200) continue;
            EigenDecomposition_F64<DMatrixRMaj> ejml = DecompositionFactory_DDRM.eig(n, false, true);
            assertTrue(ejml.decompose(new DMatrixRMaj(n, n, true, a.clone())));
            double[] theirs = new double[n];
            for (int i = 0; i < n; i++) theirs[i] = ejml.getEigenvalue(i).getReal();
            Arrays.sort(theirs);
            assertArrayEquals(theirs, eig.values(), 1e-11 * Math.max(norm(a), 1), "eigenvalues vs EJML, " + c);
        }
    }

    @Test
    void eighReadsOnlyTheLowerTriangle() {
        double[] a = {2, 99, 99, 1, 3, 99, 0, 1, 4};
        double[] full = {2, 1, 0, 1, 3, 1, 0, 1, 4};
        assertArrayEquals(Eigh.decompose(full, 3, backend()).values(), Eigh.decompose(a, 3, backend()).values(), 1e-12);
    }

    @Test
    void floatEighMatchesDouble() {
        double[] a = symmetric(cases().get(0).a, 12, 12);
        Eigh.FloatResult f = Eigh.decompose(toFloat(a), 12, backend());
        assertArrayEquals(Eigh.decompose(a, 12, backend()).values(), toDouble(f.values()), 1e-4);
        assertOrthonormalColumns(toDouble(f.vectors()), 12, 12, 1e-5, "f32 eigenvectors");
    }

    // ---------------------------------------------------------------- Solve and least squares

    @Test
    void solveMatchesEjmlAndSatisfiesTheSystem() {
        Random random = new Random(7);
        for (int n : new int[] {1, 2, 9, 40}) {
            for (int r : new int[] {1, 3}) {
                double[] a = gaussian(random, n * n);
                double[] b = gaussian(random, n * r);
                double[] inputA = a.clone(), inputB = b.clone();
                double[] x = Solve.solve(a, n, b, r, backend());
                assertArrayEquals(inputA, a);
                assertArrayEquals(inputB, b);
                assertClose(b, multiply(a, n, n, x, r), 1e-10 * norm(a) * norm(x), "A X = B");
                DMatrixRMaj expected = new DMatrixRMaj(n, r);
                assertTrue(CommonOps_DDRM.solve(new DMatrixRMaj(n, n, true, a), new DMatrixRMaj(n, r, true, b), expected));
                assertArrayEquals(expected.data, x, 1e-8 * (1 + norm(x)));
            }
        }
    }

    @Test
    void singularSystemThrows() {
        double[] a = {1, 2, 3, 2, 4, 6, 1, 1, 1};
        var e = assertThrows(ArithmeticException.class, () -> Solve.solve(a, 3, new double[] {1, 2, 3}, 1, backend()));
        assertTrue(e.getMessage().contains("singular"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> Solve.solve(new double[4], 2, new double[2], 1, backend()));
    }

    @Test
    void leastSquaresGivesTheMinimumNormSolution() {
        Random random = new Random(9);
        for (Case c : cases()) {
            if (norm(c.a) < 1e-200 || norm(c.a) > 1e200) continue;
            double[] b = gaussian(random, c.m * 2);
            Solve.LeastSquares ls = Solve.leastSquares(c.a, c.m, c.n, b, 2, 1e-10, backend());
            DMatrixRMaj pinv = new DMatrixRMaj(c.n, c.m);
            CommonOps_DDRM.pinv(new DMatrixRMaj(c.m, c.n, true, c.a), pinv);
            DMatrixRMaj expected = new DMatrixRMaj(c.n, 2);
            CommonOps_DDRM.mult(pinv, new DMatrixRMaj(c.m, 2, true, b), expected);
            assertArrayEquals(expected.data, ls.x(), 1e-8 * (1 + norm(expected.data)), c.toString());
            int expectedRank = c.name.startsWith("rank 3") ? 3 : c.name.startsWith("wide rank 2") ? 2
                    : c.name.equals("zero") ? 0 : Math.min(c.m, c.n);
            assertEquals(expectedRank, ls.rank(), c.toString());
        }
    }

    // ---------------------------------------------------------------- input validation

    @Test
    void nonFiniteInputsAndBadShapesAreRejected() {
        double[] nan = {1, Double.NaN, 3, 4};
        var e = assertThrows(IllegalArgumentException.class, () -> Svd.factor(nan, 2, 2, backend()));
        assertTrue(e.getMessage().contains("NaN") && !e.getMessage().contains("\n"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Qr.factor(new double[] {1, Double.POSITIVE_INFINITY}, 1, 2, backend()));
        assertThrows(IllegalArgumentException.class, () -> Eigh.decompose(new float[] {Float.NaN}, 1, backend()));
        assertThrows(IllegalArgumentException.class, () -> Qr.factor(new double[5], 2, 3, backend()));
        assertThrows(IllegalArgumentException.class, () -> Svd.factor(new float[6], -2, -3, backend()));
        assertThrows(IllegalArgumentException.class, () -> Solve.solve(new double[4], 2, new double[3], 2, backend()));
    }

    @Test
    void emptyMatricesGiveEmptyFactors() {
        Qr.Result qr = Qr.factor(new double[0], 0, 3, backend());
        assertEquals(0, qr.k());
        assertEquals(0, qr.r().length);
        Svd.Result svd = Svd.factor(new double[0], 4, 0, backend());
        assertEquals(0, svd.s().length);
        assertEquals(0, Eigh.decompose(new double[0], 0, backend()).values().length);
    }

    // ---------------------------------------------------------------- helpers

    static void assertOrthonormalColumns(double[] q, int m, int k, double tol, String what) {
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += q[i * k + a] * q[i * k + b];
                assertEquals(a == b ? 1.0 : 0.0, dot, tol, "orthonormality (" + a + "," + b + ") " + what);
            }
        }
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], Math.max(tol, Double.MIN_VALUE * 4), what + " element " + i);
        }
    }

    static double[] multiply(double[] a, int m, int k, double[] b, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
        return c;
    }

    /** Frobenius norm, computed without overflow or underflow. */
    static double norm(double[] a) {
        double scale = 0;
        for (double v : a) scale = Math.max(scale, Math.abs(v));
        if (scale == 0) return 0;
        double sum = 0;
        for (double v : a) sum += (v / scale) * (v / scale);
        return scale * Math.sqrt(sum);
    }

    /** AᵀA-like symmetric n×n matrix from a case, at the case's scale: S = (B + Bᵀ)/2 with B the top n×n block. */
    static double[] symmetric(double[] a, int m, int n) {
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double x = i < m ? a[i * n + j] : 0;
                double y = j < m ? a[j * n + i] : 0;
                s[i * n + j] = x / 2 + y / 2;
            }
        }
        return s;
    }

    static double[] gaussian(Random random, int count) {
        double[] x = new double[count];
        for (int i = 0; i < count; i++) x[i] = random.nextGaussian();
        return x;
    }

    static double[] lowRank(Random random, int m, int n, int rank) {
        return multiply(gaussian(random, m * rank), m, rank, gaussian(random, rank * n), n);
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    private static void reverse(double[] x) {
        for (int i = 0, j = x.length - 1; i < j; i++, j--) {
            double t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
}
