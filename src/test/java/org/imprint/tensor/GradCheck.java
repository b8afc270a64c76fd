package org.imprint.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Central finite-difference checks of first and second derivatives in float64, with PyTorch's
 * gradcheck/gradgradcheck tolerances (eps 1e-6, atol 1e-5, rtol 1e-3).
 *
 * <p>A non-scalar output y is reduced to s = ⟨w, y⟩ with a fixed random w, so each check covers the
 * whole vector-Jacobian product. Second order: s₂ = Σ_k ⟨v_k, ∂s/∂x_k⟩ (the gradient taken with
 * createGraph), whose own gradient must match the finite differences of s₂.
 */
final class GradCheck {
    static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    private GradCheck() {}

    /** Checks first and second order derivatives of {@code fn} at {@code inputs}. */
    static void check(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
        first(fn, inputs);
        second(fn, inputs);
    }

    static void first(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
        Function<List<Tensor>, Tensor> scalar = projected(fn, inputs, 11);
        compare("first order", scalar, inputs);
    }

    static void second(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
        Function<List<Tensor>, Tensor> s = projected(fn, inputs, 11);
        Rng rng = new Rng(23);
        List<Tensor> v = new ArrayList<>();
        for (Tensor x : inputs) v.add(Tensor.normal(DType.F64, rng, 0, 1, x.shape()));
        Function<List<Tensor>, Tensor> s2 = xs -> {
            List<Tensor> g = Autograd.grad(s.apply(xs), xs, true);
            Tensor acc = Tensor.scalar(0);
            for (int k = 0; k < g.size(); k++) acc = acc.add(g.get(k).mul(v.get(k)).sum());
            return acc;
        };
        compare("second order", s2, inputs);
    }

    private static Function<List<Tensor>, Tensor> projected(Function<List<Tensor>, Tensor> fn, Tensor[] inputs, long seed) {
        Tensor y0 = fn.apply(leaves(inputs));
        Tensor w = Tensor.normal(DType.F64, new Rng(seed), 0, 1, y0.shape());
        return xs -> fn.apply(xs).mul(w).sum();
    }

    private static List<Tensor> leaves(Tensor[] inputs) {
        List<Tensor> xs = new ArrayList<>();
        for (Tensor x : inputs) xs.add(x.copy().requiresGrad(true));
        return xs;
    }

    private static void compare(String what, Function<List<Tensor>, Tensor> s, Tensor[] inputs) {
        List<Tensor> xs = leaves(inputs);
        List<Tensor> analytic = Autograd.grad(s.apply(xs), xs, false);
        for (int k = 0; k < inputs.length; k++) {
            double[] base = inputs[k].toDoubleArray();
            double[] a = analytic.get(k).toDoubleArray();
            for (int i = 0; i < base.length; i++) {
                double fp = evalShifted(s, inputs, k, i, +EPS), fm = evalShifted(s, inputs, k, i, -EPS);
                double numeric = (fp - fm) / (2 * EPS);
                if (Math.abs(a[i] - numeric) > ATOL + RTOL * Math.abs(numeric)) {
                    fail(what + " mismatch for input " + k + " element " + i + ": autograd " + a[i] + ", finite difference " + numeric);
                }
            }
        }
    }

    private static double evalShifted(Function<List<Tensor>, Tensor> s, Tensor[] inputs, int k, int i, double h) {
        List<Tensor> xs = new ArrayList<>();
        for (int j = 0; j < inputs.length; j++) {
            double[] v = inputs[j].toDoubleArray();
            if (j == k) v[i] += h;
            xs.add(Tensor.of(v, inputs[j].shape()).requiresGrad(true));
        }
        return s.apply(xs).item();
    }

    /** A random F64 tensor with entries in [lo, hi). */
    static Tensor rand(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(DType.F64, new Rng(seed), lo, hi, shape);
    }

    /** A random tensor whose entries stay at least {@code gap} away from 0 (for kinks at 0). */
    static Tensor randAwayFromZero(long seed, double gap, int... shape) {
        Tensor t = rand(seed, -1, 1, shape);
        double[] v = t.doubleData();
        for (int i = 0; i < v.length; i++) v[i] = Math.copySign(gap + Math.abs(v[i]), v[i]);
        return t;
    }
}
