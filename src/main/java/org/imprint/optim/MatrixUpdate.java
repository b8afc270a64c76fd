package org.imprint.optim;

import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/** The last line of every matrix optimizer: θ ← θ − η·λ·θ − η·U, in the parameter's own dtype. */
final class MatrixUpdate {
    private MatrixUpdate() {}

    static void apply(Tensor p, double[] u, double lr, double weightDecay) {
        double decay = 1 - lr * weightDecay;
        if (p.dtype() == DType.F64) {
            double[] w = p.doubleData();
            for (int i = 0; i < w.length; i++) w[i] = w[i] * decay - lr * u[i];
        } else {
            float[] w = p.floatData();
            for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] * decay - lr * u[i]);
        }
    }

    /** The m×n matrix as the p×q view that is projected from the left: itself, or its transpose. */
    static double[] view(double[] a, int m, int n, boolean transposed) {
        return transposed ? Matrices.transpose(a, m, n) : a;
    }
}
