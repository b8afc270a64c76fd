package org.imprint.tensor;

/**
 * Composite functions built from {@link Tensor} primitives, so their gradients (of any order) come from
 * the primitives' rules: losses, normalisations and attention helpers, named as in torch.nn.functional.
 */
public final class Functional {
    private Functional() {}

    /** Logistic loss ℓ(q) = log(1 + e^(−q)) = softplus(−q) for margins q = y·f(x), elementwise and stable. */
    public static Tensor logisticLoss(Tensor margins) {
        return margins.neg().softplus();
    }

    /** Exponential loss ℓ(q) = e^(−q), elementwise. */
    public static Tensor exponentialLoss(Tensor margins) {
        return margins.neg().exp();
    }

    /**
     * A fully connected layer in PyTorch's layout: x·Wᵀ + b for x (N, in), W (out, in) and b (out) or null.
     * Higher-rank x is flattened over its leading axes.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int[] xs = x.shape();
        Tensor x2 = xs.length == 2 ? x : x.reshape(-1, xs[xs.length - 1]);
        Tensor y = x2.linear(weight, bias);
        if (xs.length == 2) return y;
        int[] outShape = xs.clone();
        outShape[xs.length - 1] = weight.dim(0);
        return y.reshape(outShape);
    }

    /** SiLU(x) = x·σ(x). */
    public static Tensor silu(Tensor x) {
        return x.silu();
    }

    /** log softmax along {@code axis}: x − max − log Σ e^(x − max), the max held constant for stability. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Tensor shifted = x.sub(x.max(axis, true).detach());
        return shifted.sub(shifted.exp().sum(axis, true).log());
    }

    /** softmax along {@code axis}: the fused primitive on the last axis, exp(logSoftmax) on any other. */
    public static Tensor softmax(Tensor x, int axis) {
        int rank = x.rank();
        if (rank > 0 && (axis == -1 || axis == rank - 1)) return x.softmaxLastAxis(false);
        return logSoftmax(x, axis).exp();
    }

    /** Mean cross-entropy of logits (N, C) against integer class targets (N): −mean_i log softmax(z_i)[y_i]. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        if (logits.rank() != 2) throw new IllegalArgumentException("crossEntropy expects logits (N, C), got rank " + logits.rank());
        return logSoftmax(logits, -1).takeAlongLastAxis(targets).mean().neg();
    }

    /** Mean squared error mean((a − b)²). */
    public static Tensor mse(Tensor prediction, Tensor target) {
        return prediction.sub(target).square().mean();
    }

    /** RMSNorm (Zhang &amp; Sennrich 2019): x / √(mean(x², last axis) + eps) · weight. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor inv = x.square().mean(-1, true).add(eps).pow(-0.5);
        return x.mul(inv).mul(weight);
    }

    /** Embedding lookup: rows {@code ids} of the table (V, D), shaped (ids.length, D). */
    public static Tensor embedding(Tensor table, int[] ids) {
        return table.indexSelect(ids);
    }

    /**
     * Causal-masked softmax over the last axis of attention scores (…, T, T): position i attends to
     * j ≤ i only; masked scores are −∞ before the softmax, so their weight and gradient are exactly 0.
     */
    public static Tensor causalSoftmax(Tensor scores) {
        return scores.softmaxLastAxis(true);
    }

    /** Euclidean norm √(Σ x²) of all elements. */
    public static Tensor norm(Tensor x) {
        return x.square().sum().sqrt();
    }
}
