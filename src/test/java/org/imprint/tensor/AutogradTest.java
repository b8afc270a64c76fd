package org.imprint.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Semantics of the autograd engine: closed forms, higher orders, no-grad mode, release, accumulation. */
class AutogradTest {
    @Test void reluDerivativeIsZeroAtZero() {
        Tensor x = Tensor.of(new double[] {-1, 0, 2}).requiresGrad(true);
        Tensor g = Autograd.grad(x.relu().sum(), List.of(x), false).get(0);
        assertArrayEquals(new double[] {0, 0, 1}, g.toDoubleArray());
    }

    @Test void smoothReluHasExactForwardAndSigmoidDerivatives() {
        double alpha = 3.0;
        double[] xs = {-2, -0.3, 0, 0.4, 1.5};
        Tensor x = Tensor.of(xs.clone()).requiresGrad(true);
        Tensor y = x.smoothRelu(alpha);
        Tensor g = Autograd.grad(y.sum(), List.of(x), true).get(0);
        Tensor h = Autograd.grad(g.sum(), List.of(x), false).get(0);
        for (int i = 0; i < xs.length; i++) {
            double s = 1 / (1 + Math.exp(-alpha * xs[i]));
            assertEquals(Math.max(xs[i], 0), y.getFlat(i), 0.0, "forward is exactly relu");
            assertEquals(s, g.getFlat(i), 1e-15, "first derivative is sigmoid(alpha x)");
            assertEquals(alpha * s * (1 - s), h.getFlat(i), 1e-14, "second derivative is alpha s (1-s)");
        }
    }

    @Test void smoothReluSecondOrderMatchesFiniteDifferencesOfItsGradient() {
        // The forward is relu, so only the gradient (a smooth function of x) can be checked by differences.
        Tensor x0 = GradCheck.rand(40, -2, 2, 7);
        Tensor w = GradCheck.rand(41, -1, 1, 7);
        java.util.function.Function<double[], double[]> gradAt = v -> {
            Tensor x = Tensor.of(v.clone()).requiresGrad(true);
            return Autograd.grad(x.smoothRelu(2.0).mul(w).sum(), List.of(x), false).get(0).toDoubleArray();
        };
        Tensor x = x0.copy().requiresGrad(true);
        Tensor g = Autograd.grad(x.smoothRelu(2.0).mul(w).sum(), List.of(x), true).get(0);
        double[] hv = Autograd.grad(g.sum(), List.of(x), false).get(0).toDoubleArray();
        double[] base = x0.toDoubleArray();
        for (int i = 0; i < base.length; i++) {
            double[] p = base.clone(), m = base.clone();
            p[i] += 1e-6;
            m[i] -= 1e-6;
            double fd = (gradAt.apply(p)[i] - gradAt.apply(m)[i]) / 2e-6;
            assertEquals(fd, hv[i], 1e-5 + 1e-3 * Math.abs(fd));
        }
    }

    @Test void thirdOrderDerivativeOfCube() {
        Tensor x = Tensor.of(new double[] {1.5}).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor d1 = Autograd.grad(y, List.of(x), true).get(0);       // 3x²
        Tensor d2 = Autograd.grad(d1.sum(), List.of(x), true).get(0); // 6x
        Tensor d3 = Autograd.grad(d2.sum(), List.of(x), false).get(0); // 6
        assertEquals(3 * 2.25, d1.item(), 1e-12);
        assertEquals(9.0, d2.item(), 1e-12);
        assertEquals(6.0, d3.item(), 1e-12);
    }

    @Test void backwardAccumulatesIntoLeavesAndReleasesTheGraph() {
        Tensor w = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        Tensor loss = w.square().sum();
        loss.backward();
        assertArrayEquals(new double[] {2, 4, 6}, w.grad().toDoubleArray());
        assertFalse(loss.requiresGrad(), "graph released after backward");
        w.square().sum().backward();
        assertArrayEquals(new double[] {4, 8, 12}, w.grad().toDoubleArray(), "gradients accumulate");
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test void noGradBuildsNoGraph() {
        Tensor w = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor y;
        try (var ignored = Autograd.noGrad()) {
            y = w.mul(w).exp().sum();
        }
        assertFalse(y.requiresGrad());
        assertTrue(Autograd.isGradEnabled(), "mode restored");
        assertTrue(w.mul(2.0).requiresGrad());
    }

    @Test void unusedInputGetsZeroGradient() {
        Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3, 4}).requiresGrad(true);
        List<Tensor> g = Autograd.grad(a.sum(), List.of(a, b), false);
        assertArrayEquals(new double[] {0, 0}, g.get(1).toDoubleArray());
    }

    @Test void gradientOfAnIntermediateTensor() {
        Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor h = a.mul(3.0);
        Tensor y = h.square().sum();
        assertArrayEquals(new double[] {6, 12}, Autograd.grad(y, List.of(h), false).get(0).toDoubleArray(), 1e-12);
    }

    @Test void errorsAreClear() {
        Tensor v = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> Autograd.grad(v.mul(2.0), List.of(v), false));
        assertThrows(IllegalArgumentException.class, () -> v.add(Tensor.of(new float[] {1, 2})));
        assertThrows(IllegalArgumentException.class, () -> v.add(Tensor.of(new double[] {1, 2, 3})));
        assertThrows(IllegalStateException.class, () -> v.mul(2.0).scale_(2));
    }

    @Test void float32OpsAgreeWithFloat64() {
        Tensor a = GradCheck.rand(50, -1, 1, 16, 9), b = GradCheck.rand(51, -1, 1, 9, 7);
        Tensor r64 = Functional.logSoftmax(a.matmul(b).tanh().add(a.sum(1, true)), -1);
        Tensor r32 = Functional.logSoftmax(a.to(DType.F32).matmul(b.to(DType.F32)).tanh().add(a.to(DType.F32).sum(1, true)), -1);
        assertEquals(DType.F32, r32.dtype());
        double[] x = r64.toDoubleArray(), y = r32.toDoubleArray();
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5);
    }
}
