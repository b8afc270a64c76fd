package org.imprint.models;

import java.util.List;
import java.util.stream.IntStream;
import org.imprint.kernels.Blas;
import org.imprint.kernels.Branchless;
import org.imprint.tensor.Autograd;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * Forward and backward of a ReLU {@link Mlp} on a batch, written out layer by layer into buffers that live as
 * long as this object (llm.c style): the training loop's hot path, with no graph and no per-step allocation of
 * activation-sized arrays. Same numbers as the autograd path ({@code loss.backward()} through
 * {@link Mlp#forward}) up to round-off, which a test checks.
 * <pre>
 *   forward:   A_0 = X,  Z_l = A_{l−1} W_lᵀ + b_l,  A_l = relu(Z_l) (in place),  F = Z_L
 *   loss:      ℓ(F) and G_L = ∂ℓ/∂F, by autograd on the small (N, C) outputs only
 *   backward:  ∂W_l = G_lᵀ A_{l−1},  ∂b_l = 1ᵀ G_l,  G_{l−1} = (G_l W_l) ∘ 1[A_{l−1} &gt; 0]   (ReLU'(0) = 0)
 * </pre>
 * Gradients go to each parameter's {@link Tensor#grad()} (PyTorch's {@code p.grad}), so any optimizer steps on
 * them. Not thread-safe; one instance per training loop.
 */
public final class MlpBackprop {
    private final Mlp model;
    private final DType dtype;
    private final int layers, capacity;
    private final int[] widths;
    private final Tensor[] activations; // A_l (capacity, h_l), l = 1 … L (l = L: the outputs F)
    private final Tensor[] errors;      // G_l = ∂ℓ/∂Z_l (capacity, h_l)
    private final Tensor[] weightGrads, biasGrads;
    private Tensor input;
    private int rows;

    /** Buffers for batches of up to {@code capacity} rows. */
    public MlpBackprop(Mlp model, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity should be >= 1 but is: " + capacity);
        this.model = model;
        this.dtype = model.dtype();
        this.layers = model.depth();
        this.widths = model.widths();
        this.capacity = capacity;
        activations = new Tensor[layers + 1];
        errors = new Tensor[layers + 1];
        weightGrads = new Tensor[layers + 1];
        biasGrads = new Tensor[layers + 1];
        for (int l = 1; l <= layers; l++) {
            activations[l] = Tensor.zeros(dtype, capacity * widths[l]);
            errors[l] = Tensor.zeros(dtype, capacity * widths[l]);
            weightGrads[l] = Tensor.zeros(dtype, widths[l], widths[l - 1]);
            if (model.bias(l - 1) != null) biasGrads[l] = Tensor.zeros(dtype, widths[l]);
        }
    }

    /**
     * Runs the forward pass on {@code x} (N, in) with N ≤ capacity and returns the outputs F (N, C) as a fresh
     * leaf tensor that requires grad: compute the loss from it, then call {@link #backward(Tensor, Tensor)}.
     * {@code x} is kept for the backward pass and must not change in between.
     */
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != widths[0] || x.dtype() != dtype) {
            throw new IllegalArgumentException("expected " + dtype + " inputs (N, " + widths[0] + "), got " + x.dtype() + java.util.Arrays.toString(x.shape()));
        }
        if (x.dim(0) > capacity) throw new IllegalArgumentException(x.dim(0) + " rows exceed the capacity " + capacity);
        input = x;
        rows = x.dim(0);
        for (int l = 1; l <= layers; l++) {
            int h = widths[l];
            Tensor z = activations[l], bias = model.bias(l - 1);
            if (bias != null) fillRows(z, bias, rows, h);
            gemm(false, true, rows, h, widths[l - 1], l == 1 ? x : activations[l - 1], model.weight(l - 1), bias != null, z);
            if (l < layers) relu(z, rows * h);
        }
        int c = widths[layers];
        Tensor out = Tensor.zeros(dtype, rows, c);
        System.arraycopy(array(activations[layers]), 0, array(out), 0, rows * c);
        return out.requiresGrad(true);
    }

    /**
     * Sets every parameter's {@code grad} to ∂loss/∂θ, where {@code loss} is a scalar computed (with grad mode
     * on) from the {@code outputs} the last {@link #forward} returned; only that small graph is differentiated
     * by autograd, the layers by the explicit rules above.
     */
    public void backward(Tensor loss, Tensor outputs) {
        Tensor seed = Autograd.grad(List.of(loss), List.of(outputs), null, false, false).get(0);
        if (seed.dim(0) != rows) throw new IllegalArgumentException("outputs are not those of the last forward pass");
        System.arraycopy(array(seed), 0, array(errors[layers]), 0, rows * widths[layers]);
        backward();
    }

    /** ∂W_l = G_lᵀ A_{l−1}, ∂b_l = 1ᵀ G_l, G_{l−1} = (G_l W_l) ∘ 1[A_{l−1} &gt; 0], from l = L down to 1. */
    private void backward() {
        for (int l = layers; l >= 1; l--) {
            int h = widths[l], hIn = widths[l - 1];
            Tensor g = errors[l], below = l == 1 ? input : activations[l - 1];
            gemm(true, false, h, hIn, rows, g, below, false, weightGrads[l]);
            if (biasGrads[l] != null) columnSums(g, rows, h, biasGrads[l]);
            if (l > 1) {
                gemm(false, false, rows, hIn, h, g, model.weight(l - 1), false, errors[l - 1]);
                maskByPositive(errors[l - 1], activations[l - 1], rows * hIn);
            }
        }
        for (int l = 1; l <= layers; l++) {
            model.weight(l - 1).setGrad(weightGrads[l]);
            if (biasGrads[l] != null) model.bias(l - 1).setGrad(biasGrads[l]);
        }
    }

    // ---------------------------------------------------------------- kernels on the backing arrays (F64 or F32)

    private static Object array(Tensor t) {
        return t.dtype() == DType.F64 ? t.doubleData() : t.floatData();
    }

    /** C = op(A)·op(B) (+ C when {@code accumulate}) on whole row-major matrices. */
    private static void gemm(boolean transA, boolean transB, int m, int n, int k, Tensor a, Tensor b, boolean accumulate, Tensor c) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (c.dtype() == DType.F64) {
            Blas.dgemm(transA, transB, m, n, k, 1.0, a.doubleData(), 0, lda, b.doubleData(), 0, ldb, accumulate ? 1.0 : 0.0, c.doubleData(), 0, n);
        } else {
            Blas.sgemm(transA, transB, m, n, k, 1f, a.floatData(), 0, lda, b.floatData(), 0, ldb, accumulate ? 1f : 0f, c.floatData(), 0, n);
        }
    }

    private static void fillRows(Tensor target, Tensor row, int rows, int h) {
        Object t = array(target), r = array(row);
        for (int j = 0; j < rows; j++) System.arraycopy(r, 0, t, j * h, h);
    }

    private static void relu(Tensor z, int n) {
        if (z.dtype() == DType.F64) {
            double[] v = z.doubleData();
            parallel(n, (lo, hi) -> { for (int i = lo; i < hi; i++) v[i] = Math.max(v[i], 0.0); });
        } else {
            float[] v = z.floatData();
            parallel(n, (lo, hi) -> { for (int i = lo; i < hi; i++) v[i] = Math.max(v[i], 0f); });
        }
    }

    /** g ← g ∘ 1[a &gt; 0]: ReLU's derivative read off its output (a &gt; 0 exactly when z &gt; 0). */
    private static void maskByPositive(Tensor g, Tensor a, int n) {
        if (g.dtype() == DType.F64) {
            double[] gv = g.doubleData(), av = a.doubleData();
            parallel(n, (lo, hi) -> { for (int i = lo; i < hi; i++) gv[i] = Branchless.keepIfPositive(gv[i], av[i]); });
        } else {
            float[] gv = g.floatData(), av = a.floatData();
            parallel(n, (lo, hi) -> { for (int i = lo; i < hi; i++) gv[i] = Branchless.keepIfPositive(gv[i], av[i]); });
        }
    }

    /** out_k = Σ_j g[j, k], rows summed in order (float32 accumulated in double, as the tensor reductions do). */
    private static void columnSums(Tensor g, int rows, int h, Tensor out) {
        double[] acc = new double[h];
        if (g.dtype() == DType.F64) {
            double[] v = g.doubleData();
            for (int j = 0; j < rows; j++) for (int k = 0; k < h; k++) acc[k] += v[j * h + k];
            System.arraycopy(acc, 0, out.doubleData(), 0, h);
        } else {
            float[] v = g.floatData(), o = out.floatData();
            for (int j = 0; j < rows; j++) for (int k = 0; k < h; k++) acc[k] += v[j * h + k];
            for (int k = 0; k < h; k++) o[k] = (float) acc[k];
        }
    }

    private interface Span {
        void run(int lo, int hi);
    }

    /** An elementwise pass over [0, n), split over Blas.threads() workers when large (results do not depend on the split). */
    private static void parallel(int n, Span body) {
        int threads = (int) Math.min(Blas.threads(), n / (1 << 15));
        if (threads <= 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, threads).parallel().forEach(c -> body.run((int) ((long) c * n / threads), (int) ((long) (c + 1) * n / threads)));
    }
}
