package org.imprint.models;

import static org.imprint.testing.Agreement.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.imprint.kernels.Blas;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import org.imprint.train.Loss;
import org.junit.jupiter.api.Test;

/**
 * The written-out MLP forward/backward against autograd through {@link Mlp#forward} (whose rules are checked
 * against finite differences elsewhere): same outputs, loss and parameter gradients, every loss, depth and
 * bias layout, float64 and float32, full and partial batches, and inputs with exact zeros in the pre-activations.
 */
class MlpBackpropTest {
    private static int[] labels(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7 + 3) % classes;
        return y;
    }

    private static void compare(int[] widths, Mlp.BiasMode bias, Loss loss, DType dtype, int capacity, int n, double tol) {
        String what = Arrays.toString(widths) + " " + bias + " " + loss + " " + dtype + " n " + n + "/" + capacity;
        Mlp a = Mlp.initialise(widths, bias, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.0}, new Rng(7), dtype);
        Mlp b = Mlp.initialise(widths, bias, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1.0}, new Rng(7), dtype);
        Tensor x = Tensor.normal(DType.F64, new Rng(8), 0, 1, n, widths[0]).to(dtype);
        int[] y = labels(n, widths[widths.length - 1] == 1 ? 2 : widths[widths.length - 1]);

        Tensor expectedLoss = loss.compute(a.forward(x), y);
        expectedLoss.backward();

        MlpBackprop pass = new MlpBackprop(b, capacity);
        Tensor outputs = pass.forward(x);
        assertTrue(relativeError(a.forward(x).toDoubleArray(), outputs.toDoubleArray()) < tol, what + ": outputs");
        Tensor value = loss.compute(outputs, y);
        assertEquals(expectedLoss.item(), value.item(), tol * Math.abs(expectedLoss.item()), what + ": loss");
        pass.backward(value, outputs);
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int k = 0; k < pa.size(); k++) {
            double err = relativeError(pa.get(k).grad().toDoubleArray(), pb.get(k).grad().toDoubleArray());
            assertTrue(err < tol, what + ": gradient of parameter " + k + " rel. error " + err);
        }
    }

    @Test void matchesAutogradForEveryLossDepthBiasLayoutAndDtype() {
        for (DType dtype : DType.values()) {
            double tol = dtype == DType.F64 ? 1e-12 : 2e-5;
            for (Mlp.BiasMode bias : Mlp.BiasMode.values()) {
                for (int[] w : new int[][] {{5, 1}, {5, 8, 1}, {5, 8, 6, 1}, {5, 7, 6, 4, 1}}) {
                    compare(w, bias, Loss.LOGISTIC, dtype, 12, 12, tol);
                    compare(w, bias, Loss.EXPONENTIAL, dtype, 12, 12, tol);
                    compare(w, bias, Loss.MSE, dtype, 12, 12, tol);
                }
                compare(new int[] {5, 8, 3}, bias, Loss.CROSS_ENTROPY, dtype, 12, 12, tol);
                compare(new int[] {5, 8, 6, 3}, bias, Loss.MSE, dtype, 12, 12, tol);
                compare(new int[] {5, 8, 6, 1}, bias, Loss.LOGISTIC, dtype, 20, 9, tol); // a partial batch
            }
            compare(new int[] {300, 200, 150, 1}, Mlp.BiasMode.FIRST, Loss.LOGISTIC, dtype, 400, 400, tol * 10); // parallel passes
        }
    }

    /** A zero pre-activation takes ReLU'(0) = 0 on both paths (inputs of zeros with no bias give z = 0 exactly). */
    @Test void zeroPreActivationsHaveZeroDerivative() {
        Mlp a = Mlp.initialise(new int[] {4, 6, 1}, Mlp.BiasMode.NONE, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        Tensor x = Tensor.of(new double[] {0, 0, 0, 0, 1, -2, 0.5, 3}, 2, 4);
        MlpBackprop pass = new MlpBackprop(a, 2);
        Tensor outputs = pass.forward(x);
        pass.backward(Loss.LOGISTIC.compute(outputs, new int[] {1, 0}), outputs);
        double[] g = a.weight(0).grad().toDoubleArray();
        Mlp b = Mlp.initialise(new int[] {4, 6, 1}, Mlp.BiasMode.NONE, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        Loss.LOGISTIC.compute(b.forward(x), new int[] {1, 0}).backward();
        assertArrayEquals(b.weight(0).grad().toDoubleArray(), g, 1e-15);
        assertArrayEquals(b.weight(1).grad().toDoubleArray(), a.weight(1).grad().toDoubleArray(), 1e-15);
    }

    @Test void repeatedStepsReuseBuffersAndGiveTheSameBits() {
        int before = Blas.threads();
        try {
            Blas.setThreads(2);
            Mlp m = Mlp.initialise(new int[] {300, 200, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
            Tensor x = Tensor.normal(DType.F64, new Rng(2), 0, 1, 300, 300);
            int[] y = labels(300, 2);
            MlpBackprop pass = new MlpBackprop(m, 300);
            double[][] grads = new double[2][];
            for (int k = 0; k < 2; k++) {
                Tensor out = pass.forward(x);
                pass.backward(Loss.LOGISTIC.compute(out, y), out);
                grads[k] = m.weight(0).grad().toDoubleArray();
            }
            assertArrayEquals(grads[0], grads[1], 0.0);
        } finally {
            Blas.setThreads(before);
        }
    }

    @Test void rejectsWrongInputs() {
        Mlp m = Mlp.initialise(new int[] {4, 3, 1}, Mlp.BiasMode.FIRST, Mlp.InitDistribution.PYTORCH_UNIFORM, new double[] {1}, new Rng(1), DType.F64);
        MlpBackprop pass = new MlpBackprop(m, 2);
        assertThrows(IllegalArgumentException.class, () -> pass.forward(Tensor.zeros(DType.F64, 3, 4)), "over capacity");
        assertThrows(IllegalArgumentException.class, () -> pass.forward(Tensor.zeros(DType.F64, 2, 5)), "wrong width");
        assertThrows(IllegalArgumentException.class, () -> pass.forward(Tensor.zeros(DType.F32, 2, 4)), "wrong dtype");
        assertThrows(IllegalArgumentException.class, () -> new MlpBackprop(m, 0));
    }
}
