package org.imprint.optim;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** Independent references for the optimizer tests: EJML's SVD and plain-loop Newton–Schulz. */
final class Reference {
    private Reference() {}

    /** U (m×k), s (k, descending), V (n×k) of an m×n row-major matrix, by EJML. */
    record Usv(DMatrixRMaj u, double[] s, DMatrixRMaj v) {}

    static Usv svd(double[] a, int m, int n) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, true, true, true);
        if (!svd.decompose(new DMatrixRMaj(m, n, true, a))) throw new IllegalStateException("EJML SVD failed");
        DMatrixRMaj u = svd.getU(null, false), w = svd.getW(null), v = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(u, false, w, v, false);
        int k = Math.min(m, n);
        double[] s = new double[k];
        for (int i = 0; i < k; i++) s[i] = w.get(i, i);
        return new Usv(u, s, v);
    }

    /** Σ_{i<r} f(sᵢ)·uᵢ·vᵢᵀ as an m×n row-major array. */
    static double[] reconstruct(Usv usv, int r, java.util.function.DoubleUnaryOperator f, int m, int n) {
        double[] out = new double[m * n];
        for (int i = 0; i < r; i++) {
            double w = f.applyAsDouble(usv.s()[i]);
            for (int a = 0; a < m; a++) for (int b = 0; b < n; b++) out[a * n + b] += w * usv.u().get(a, i) * usv.v().get(b, i);
        }
        return out;
    }

    /** The polar factor U·Vᵀ (all nonzero singular directions). */
    static double[] polar(double[] a, int m, int n) {
        Usv usv = svd(a, m, n);
        return reconstruct(usv, Math.min(m, n), s -> s > 1e-12 * usv.s()[0] ? 1 : 0, m, n);
    }

    /** Muon's NS5 written with EJML products: X₀ = M/(‖M‖_F + 1e-7) (transposed if tall), five quintic steps. */
    static double[] ns5(double[] a, int m, int n) {
        boolean tall = m > n;
        DMatrixRMaj x = new DMatrixRMaj(m, n, true, a);
        if (tall) x = CommonOps_DDRM.transpose(x, null);
        CommonOps_DDRM.divide(x, CommonOps_DDRM.elementSum(elementSquare(x)) == 0 ? 1 : Math.sqrt(CommonOps_DDRM.elementSum(elementSquare(x))) + 1e-7);
        for (int s = 0; s < 5; s++) {
            DMatrixRMaj gram = new DMatrixRMaj(x.numRows, x.numRows);
            CommonOps_DDRM.multTransB(x, x, gram);
            DMatrixRMaj gram2 = new DMatrixRMaj(x.numRows, x.numRows);
            CommonOps_DDRM.mult(gram, gram, gram2);
            DMatrixRMaj poly = new DMatrixRMaj(x.numRows, x.numRows);
            CommonOps_DDRM.add(-4.7750, gram, 2.0315, gram2, poly);
            DMatrixRMaj px = new DMatrixRMaj(x.numRows, x.numCols);
            CommonOps_DDRM.mult(poly, x, px);
            DMatrixRMaj next = new DMatrixRMaj(x.numRows, x.numCols);
            CommonOps_DDRM.add(3.4445, x, 1.0, px, next);
            x = next;
        }
        if (tall) x = CommonOps_DDRM.transpose(x, null);
        return x.data.clone();
    }

    private static DMatrixRMaj elementSquare(DMatrixRMaj x) {
        DMatrixRMaj sq = x.copy();
        CommonOps_DDRM.elementMult(sq, x);
        return sq;
    }

    /** The scalar quintic map iterated five times (what NS5 does to each singular value). */
    static double ns5Scalar(double x) {
        for (int s = 0; s < 5; s++) x = 3.4445 * x - 4.7750 * x * x * x + 2.0315 * x * x * x * x * x;
        return x;
    }
}
