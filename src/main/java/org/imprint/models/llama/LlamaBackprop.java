package org.imprint.models.llama;

import org.imprint.kernels.Blas;
import org.imprint.tensor.DType;
import org.imprint.tensor.Tensor;

/**
 * The {@link Llama} decoder's training step written out by hand in float32 (llm.c's train_gpt2.c layout:
 * one forward that keeps its activations in buffers allocated once, one backward, no graph). Same loss and
 * gradients as autograd through {@link Llama#loss} up to float32 round-off, which a test checks; the
 * gradients are set as the parameters' {@code grad}, so every optimizer steps on them.
 * <pre>
 *   x_0 = E[tokens]
 *   per block:  h = RMSNorm(x)·g_a;  q, k, v = h Wqᵀ, h Wkᵀ, h Wvᵀ;  q, k ← RoPE(q), RoPE(k)
 *               per (sequence, head):  P = causal-softmax(q kᵀ/√hs),  y = P v
 *               x ← x + y Woᵀ;   f = RMSNorm(x)·g_f;  a = f W1ᵀ, b = f W3ᵀ;  x ← x + (silu(a) ∘ b) W2ᵀ
 *   z = RMSNorm(x)·g;  logits = z Woutᵀ;  ℓ = mean_n (logsumexp(logits_n) − logits_n[target_n])
 * </pre>
 * Backward rules (row-wise; r = (mean x² + ε)^−½): RMSNorm dx = r (dy∘g) − x r³ ⟨dy∘g, x⟩/d, dg = Σ_n dy∘x r;
 * softmax dS = P ∘ (dP − rowsum(dP∘P)); RoPE is a rotation, so its backward rotates by −angle;
 * silu'(a) = σ(a)(1 + a(1 − σ(a))); cross-entropy dlogits = (softmax − onehot)/N.
 * Attention reads q, k, v and writes y in place with leading dimension d (no head permutes).
 */
public final class LlamaBackprop {
    private final Llama model;
    private final LlamaConfig c;
    private final int batch, t, n, d, heads, hs, ffn, vocab, layers;
    private final float[] cos, sin; // (T, hs)
    private final boolean attentionInParallel;

    // Parameters (live arrays of the model) and their gradient tensors.
    private final float[] embedding, finalNorm, output;
    private final float[][] attnNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3;
    private final Tensor gEmbedding, gFinalNorm, gOutput;
    private final Tensor[] gAttnNorm, gWq, gWk, gWv, gWo, gFfnNorm, gW1, gW2, gW3;

    // Activations kept for the backward pass, per block.
    private final float[][] xIn, rstdA, hA, q, k, v, probs, y, xMid, rstdF, hF, a, b, sigA, gated;
    private final float[] xOut, rstdOut, z, logits;
    private int[] tokens, targets;

    // Scratch for the backward pass.
    private final float[] dx, dxMid, dh, dq, dk, dv, dy, dGated, dA, dB, dLogits, dz;

    /** Buffers for steps of {@code batch} sequences of the model's context length; the model must be float32. */
    public LlamaBackprop(Llama model, int batch) {
        if (model.dtype() != DType.F32) throw new IllegalArgumentException("the written-out LLaMA step is float32, the model is " + model.dtype());
        if (batch < 1) throw new IllegalArgumentException("batch should be >= 1 but is: " + batch);
        this.model = model;
        this.c = model.config();
        this.batch = batch;
        this.t = c.context();
        this.n = batch * t;
        this.d = c.dim();
        this.heads = c.heads();
        this.hs = c.headSize();
        this.ffn = c.ffn();
        this.vocab = c.vocab();
        this.layers = c.layers();
        this.attentionInParallel = Blas.runsOnCallingThread(t, t, hs) && Blas.runsOnCallingThread(t, hs, t);
        this.cos = model.ropeCos().floatData();
        this.sin = model.ropeSin().floatData();
        var p = model.namedParameters();
        embedding = p.get("tok_embeddings.weight").floatData();
        finalNorm = p.get("norm.weight").floatData();
        output = p.get("output.weight").floatData();
        gEmbedding = Tensor.zeros(DType.F32, vocab, d);
        gFinalNorm = Tensor.zeros(DType.F32, d);
        gOutput = Tensor.zeros(DType.F32, vocab, d);
        attnNorm = new float[layers][]; wq = new float[layers][]; wk = new float[layers][]; wv = new float[layers][];
        wo = new float[layers][]; ffnNorm = new float[layers][]; w1 = new float[layers][]; w2 = new float[layers][]; w3 = new float[layers][];
        gAttnNorm = new Tensor[layers]; gWq = new Tensor[layers]; gWk = new Tensor[layers]; gWv = new Tensor[layers];
        gWo = new Tensor[layers]; gFfnNorm = new Tensor[layers]; gW1 = new Tensor[layers]; gW2 = new Tensor[layers]; gW3 = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            String pre = "layers." + l + ".";
            attnNorm[l] = p.get(pre + "attention_norm.weight").floatData();
            wq[l] = p.get(pre + "attention.wq.weight").floatData();
            wk[l] = p.get(pre + "attention.wk.weight").floatData();
            wv[l] = p.get(pre + "attention.wv.weight").floatData();
            wo[l] = p.get(pre + "attention.wo.weight").floatData();
            ffnNorm[l] = p.get(pre + "ffn_norm.weight").floatData();
            w1[l] = p.get(pre + "feed_forward.w1.weight").floatData();
            w2[l] = p.get(pre + "feed_forward.w2.weight").floatData();
            w3[l] = p.get(pre + "feed_forward.w3.weight").floatData();
            gAttnNorm[l] = Tensor.zeros(DType.F32, d);
            gWq[l] = Tensor.zeros(DType.F32, d, d);
            gWk[l] = Tensor.zeros(DType.F32, d, d);
            gWv[l] = Tensor.zeros(DType.F32, d, d);
            gWo[l] = Tensor.zeros(DType.F32, d, d);
            gFfnNorm[l] = Tensor.zeros(DType.F32, d);
            gW1[l] = Tensor.zeros(DType.F32, ffn, d);
            gW2[l] = Tensor.zeros(DType.F32, d, ffn);
            gW3[l] = Tensor.zeros(DType.F32, ffn, d);
        }
        xIn = alloc(n * d); rstdA = alloc(n); hA = alloc(n * d); q = alloc(n * d); k = alloc(n * d); v = alloc(n * d);
        probs = alloc(batch * heads * t * t); y = alloc(n * d); xMid = alloc(n * d); rstdF = alloc(n); hF = alloc(n * d);
        a = alloc(n * ffn); b = alloc(n * ffn); sigA = alloc(n * ffn); gated = alloc(n * ffn);
        xOut = new float[n * d]; rstdOut = new float[n]; z = new float[n * d]; logits = new float[n * vocab];
        dx = new float[n * d]; dxMid = new float[n * d]; dh = new float[n * d]; dq = new float[n * d]; dk = new float[n * d];
        dv = new float[n * d]; dy = new float[n * d]; dGated = new float[n * ffn]; dA = new float[n * ffn]; dB = new float[n * ffn];
        dLogits = new float[n * vocab]; dz = new float[n * d];
    }

    private float[][] alloc(int size) {
        float[][] out = new float[layers][];
        for (int l = 0; l < layers; l++) out[l] = new float[size];
        return out;
    }

    /**
     * One training step's forward and backward on {@code batch} sequences (tokens and targets, both batch·T, row
     * b·T + t): returns the mean cross-entropy and sets every parameter's {@code grad}.
     */
    public double lossAndGradients(int[] inputTokens, int[] targetTokens) {
        if (inputTokens.length != n || targetTokens.length != n) {
            throw new IllegalArgumentException("expected " + n + " tokens (" + batch + " × " + t + "), got " + inputTokens.length + " and " + targetTokens.length);
        }
        for (int i = 0; i < n; i++) {
            if (inputTokens[i] < 0 || inputTokens[i] >= vocab || targetTokens[i] < 0 || targetTokens[i] >= vocab) {
                throw new IllegalArgumentException("token id outside [0, " + vocab + ") at position " + i);
            }
        }
        tokens = inputTokens;
        targets = targetTokens;
        double loss = forward();
        backward();
        setGradients();
        return loss;
    }

    // ================================================================ forward

    private double forward() {
        for (int i = 0; i < n; i++) System.arraycopy(embedding, tokens[i] * d, xIn[0], i * d, d);
        for (int l = 0; l < layers; l++) {
            float[] x = xIn[l];
            rmsNorm(x, attnNorm[l], hA[l], rstdA[l]);
            gemm(false, true, n, d, d, hA[l], d, wq[l], d, 0, q[l], d);
            gemm(false, true, n, d, d, hA[l], d, wk[l], d, 0, k[l], d);
            gemm(false, true, n, d, d, hA[l], d, wv[l], d, 0, v[l], d);
            rope(q[l], false);
            rope(k[l], false);
            attention(l);
            float[] mid = xMid[l];
            System.arraycopy(x, 0, mid, 0, n * d);
            gemm(false, true, n, d, d, y[l], d, wo[l], d, 1, mid, d);       // x + y Woᵀ
            rmsNorm(mid, ffnNorm[l], hF[l], rstdF[l]);
            gemm(false, true, n, ffn, d, hF[l], d, w1[l], d, 0, a[l], ffn);
            gemm(false, true, n, ffn, d, hF[l], d, w3[l], d, 0, b[l], ffn);
            float[] al = a[l], bl = b[l], sl = sigA[l], gl = gated[l];
            parallel(n * ffn, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float s = (float) sigmoid(al[i]);
                    sl[i] = s;
                    gl[i] = al[i] * s * bl[i];
                }
            });
            float[] next = l + 1 < layers ? xIn[l + 1] : xOut;
            System.arraycopy(mid, 0, next, 0, n * d);
            gemm(false, true, n, d, ffn, gl, ffn, w2[l], ffn, 1, next, d);  // x + (silu(a)∘b) W2ᵀ
        }
        rmsNorm(xOut, finalNorm, z, rstdOut);
        gemm(false, true, n, vocab, d, z, d, output, d, 0, logits, vocab);
        // Cross-entropy; dLogits = (softmax − onehot)/N already, for the backward pass. One exponential per logit.
        double[] rowLoss = new double[n];
        parallel(n, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int row = i * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) max = Math.max(max, logits[row + j]);
                double sum = 0;
                for (int j = 0; j < vocab; j++) {
                    float e = (float) Math.exp(logits[row + j] - max);
                    dLogits[row + j] = e;
                    sum += e;
                }
                rowLoss[i] = max + Math.log(sum) - logits[row + targets[i]];
                float scale = (float) (1.0 / (sum * n));
                for (int j = 0; j < vocab; j++) dLogits[row + j] *= scale;
                dLogits[row + targets[i]] -= 1f / n;
            }
        });
        double total = 0;
        for (double v : rowLoss) total += v; // in row order: the same bits whatever the split
        return total / n;
    }

    /** out = x·r·g with r = (mean x² + ε)^−½ per row; r kept for the backward pass. */
    private void rmsNorm(float[] x, float[] g, float[] out, float[] rstd) {
        double eps = c.normEps();
        for (int i = 0; i < n; i++) {
            int row = i * d;
            double ss = 0;
            for (int j = 0; j < d; j++) ss += (double) x[row + j] * x[row + j];
            float r = (float) (1.0 / Math.sqrt(ss / d + eps));
            rstd[i] = r;
            for (int j = 0; j < d; j++) out[row + j] = x[row + j] * r * g[j];
        }
    }

    /**
     * Rotary embedding in place on (N, d) laid out as heads of hs: for i &lt; hs/2, the pair (x_i, x_{i+hs/2}) is
     * rotated by the angle of (t, i); {@code inverse} rotates back (the backward pass of a rotation).
     */
    private void rope(float[] x, boolean inverse) {
        int half = hs / 2;
        for (int row = 0; row < n; row++) {
            int pos = row % t;
            for (int h = 0; h < heads; h++) {
                int base = row * d + h * hs;
                for (int i = 0; i < half; i++) {
                    float cs = cos[pos * hs + i], sn = inverse ? -sin[pos * hs + i] : sin[pos * hs + i];
                    float x1 = x[base + i], x2 = x[base + i + half];
                    x[base + i] = x1 * cs - x2 * sn;
                    x[base + i + half] = x2 * cs + x1 * sn;
                }
            }
        }
    }

    /** For each sequence and head: P = causal-softmax(q kᵀ/√hs) (kept), y = P v, written into y's head columns. */
    private void attention(int l) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] ql = q[l], kl = k[l], vl = v[l], pl = probs[l], yl = y[l];
        parallel(batch * heads, attentionInParallel, (lo, hi) -> {
            for (int pair = lo; pair < hi; pair++) {
                int s = pair / heads, h = pair % heads;
                int off = s * t * d + h * hs, pOff = pair * t * t;
                gemm(false, true, t, t, hs, ql, off, d, kl, off, d, 0, pl, pOff, t, scale);
                for (int i = 0; i < t; i++) {
                    int row = pOff + i * t;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) max = Math.max(max, pl[row + j]);
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        float e = (float) Math.exp(pl[row + j] - max);
                        pl[row + j] = e;
                        sum += e;
                    }
                    float inv = (float) (1.0 / sum);
                    for (int j = 0; j <= i; j++) pl[row + j] *= inv;
                    for (int j = i + 1; j < t; j++) pl[row + j] = 0f;
                }
                gemm(false, false, t, hs, t, pl, pOff, t, vl, off, d, 0, yl, off, d, 1f);
            }
        });
    }

    // ================================================================ backward

    private void backward() {
        // Output head and final norm.
        gemm(true, false, vocab, d, n, dLogits, vocab, z, d, 0, gOutput.floatData(), d);
        gemm(false, false, n, d, vocab, dLogits, vocab, output, d, 0, dz, d);
        java.util.Arrays.fill(dx, 0f);
        java.util.Arrays.fill(gFinalNorm.floatData(), 0f);
        rmsNormBackward(xOut, finalNorm, rstdOut, dz, dx, gFinalNorm.floatData());
        for (int l = layers - 1; l >= 0; l--) {
            // dx holds ∂ℓ/∂x_{l+1}. Feed-forward half: x_{l+1} = mid + (silu(a)∘b) W2ᵀ.
            gemm(true, false, d, ffn, n, dx, d, gated[l], ffn, 0, gW2[l].floatData(), ffn);
            gemm(false, false, n, ffn, d, dx, d, w2[l], ffn, 0, dGated, ffn);
            float[] al = a[l], bl = b[l], sl = sigA[l];
            parallel(n * ffn, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float s = sl[i], g = dGated[i], silu = al[i] * s;
                    dB[i] = g * silu;
                    dA[i] = g * bl[i] * s * (1 + al[i] * (1 - s));
                }
            });
            gemm(true, false, ffn, d, n, dA, ffn, hF[l], d, 0, gW1[l].floatData(), d);
            gemm(true, false, ffn, d, n, dB, ffn, hF[l], d, 0, gW3[l].floatData(), d);
            gemm(false, false, n, d, ffn, dA, ffn, w1[l], d, 0, dh, d);
            gemm(false, false, n, d, ffn, dB, ffn, w3[l], d, 1, dh, d);
            System.arraycopy(dx, 0, dxMid, 0, n * d);                     // the residual path
            java.util.Arrays.fill(gFfnNorm[l].floatData(), 0f);
            rmsNormBackward(xMid[l], ffnNorm[l], rstdF[l], dh, dxMid, gFfnNorm[l].floatData());
            // Attention half: mid = x + y Woᵀ.
            gemm(true, false, d, d, n, dxMid, d, y[l], d, 0, gWo[l].floatData(), d);
            gemm(false, false, n, d, d, dxMid, d, wo[l], d, 0, dy, d);
            attentionBackward(l);
            rope(dq, true);
            rope(dk, true);
            gemm(true, false, d, d, n, dq, d, hA[l], d, 0, gWq[l].floatData(), d);
            gemm(true, false, d, d, n, dk, d, hA[l], d, 0, gWk[l].floatData(), d);
            gemm(true, false, d, d, n, dv, d, hA[l], d, 0, gWv[l].floatData(), d);
            gemm(false, false, n, d, d, dq, d, wq[l], d, 0, dh, d);
            gemm(false, false, n, d, d, dk, d, wk[l], d, 1, dh, d);
            gemm(false, false, n, d, d, dv, d, wv[l], d, 1, dh, d);
            System.arraycopy(dxMid, 0, dx, 0, n * d);
            java.util.Arrays.fill(gAttnNorm[l].floatData(), 0f);
            rmsNormBackward(xIn[l], attnNorm[l], rstdA[l], dh, dx, gAttnNorm[l].floatData());
        }
        float[] ge = gEmbedding.floatData();
        java.util.Arrays.fill(ge, 0f);
        for (int i = 0; i < n; i++) {
            int row = tokens[i] * d;
            for (int j = 0; j < d; j++) ge[row + j] += dx[i * d + j];
        }
    }

    /** Adds ∂/∂x of out = x·r·g to dx and accumulates ∂/∂g into dg, given ∂ℓ/∂out = dOut. */
    private void rmsNormBackward(float[] x, float[] g, float[] rstd, float[] dOut, float[] dxAcc, float[] dg) {
        for (int i = 0; i < n; i++) {
            int row = i * d;
            float r = rstd[i];
            double dot = 0;
            for (int j = 0; j < d; j++) {
                float dyg = dOut[row + j] * g[j];
                dot += (double) dyg * x[row + j];
                dg[j] += dOut[row + j] * x[row + j] * r;
            }
            float coef = (float) (dot * r * r * r / d);
            for (int j = 0; j < d; j++) dxAcc[row + j] += r * dOut[row + j] * g[j] - x[row + j] * coef;
        }
    }

    /** From dy (N, d): dq, dk, dv through y = P v and P = causal-softmax(q kᵀ/√hs), per sequence and head. */
    private void attentionBackward(int l) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] ql = q[l], kl = k[l], vl = v[l], pl = probs[l];
        parallel(batch * heads, attentionInParallel, (lo, hi) -> {
            float[] dProbs = new float[t * t]; // per worker
            for (int pair = lo; pair < hi; pair++) {
                int s = pair / heads, h = pair % heads;
                int off = s * t * d + h * hs, pOff = pair * t * t;
                gemm(false, true, t, t, hs, dy, off, d, vl, off, d, 0, dProbs, 0, t, 1f);       // dP = dy vᵀ
                gemm(true, false, t, hs, t, pl, pOff, t, dy, off, d, 0, dv, off, d, 1f);        // dv = Pᵀ dy
                for (int i = 0; i < t; i++) {                                                  // dS = P∘(dP − Σ dP∘P)
                    int row = i * t, pRow = pOff + i * t;
                    double dot = 0;
                    for (int j = 0; j <= i; j++) dot += (double) dProbs[row + j] * pl[pRow + j];
                    float dd = (float) dot;
                    for (int j = 0; j <= i; j++) dProbs[row + j] = pl[pRow + j] * (dProbs[row + j] - dd) * scale;
                    for (int j = i + 1; j < t; j++) dProbs[row + j] = 0f;
                }
                gemm(false, false, t, hs, t, dProbs, 0, t, kl, off, d, 0, dq, off, d, 1f);      // dq = dS k /√hs
                gemm(true, false, t, hs, t, dProbs, 0, t, ql, off, d, 0, dk, off, d, 1f);       // dk = dSᵀ q /√hs
            }
        });
    }

    private void setGradients() {
        var p = model.namedParameters();
        p.get("tok_embeddings.weight").setGrad(gEmbedding);
        p.get("norm.weight").setGrad(gFinalNorm);
        p.get("output.weight").setGrad(gOutput);
        for (int l = 0; l < layers; l++) {
            String pre = "layers." + l + ".";
            p.get(pre + "attention_norm.weight").setGrad(gAttnNorm[l]);
            p.get(pre + "attention.wq.weight").setGrad(gWq[l]);
            p.get(pre + "attention.wk.weight").setGrad(gWk[l]);
            p.get(pre + "attention.wv.weight").setGrad(gWv[l]);
            p.get(pre + "attention.wo.weight").setGrad(gWo[l]);
            p.get(pre + "ffn_norm.weight").setGrad(gFfnNorm[l]);
            p.get(pre + "feed_forward.w1.weight").setGrad(gW1[l]);
            p.get(pre + "feed_forward.w2.weight").setGrad(gW2[l]);
            p.get(pre + "feed_forward.w3.weight").setGrad(gW3[l]);
        }
    }

    // ================================================================ kernels

    private interface Span {
        void run(int lo, int hi);
    }

    /**
     * Runs {@code body} over [0, count) in up to Blas.threads() contiguous ranges. The bodies write disjoint
     * outputs, so the split changes no result; attention runs its per-head products from the workers only when
     * they are small enough to stay on the calling thread ({@link Blas#runsOnCallingThread}).
     */
    private static void parallel(int count, Span body) {
        parallel(count, true, body);
    }

    private static void parallel(int count, boolean allowed, Span body) {
        int threads = allowed ? Math.min(Blas.threads(), count) : 1;
        if (threads <= 1) {
            body.run(0, count);
            return;
        }
        java.util.stream.IntStream.range(0, threads).parallel()
                .forEach(w -> body.run((int) ((long) w * count / threads), (int) ((long) (w + 1) * count / threads)));
    }

    private static double sigmoid(float x) {
        return org.imprint.kernels.Branchless.sigmoid(x);
    }

    /** C = op(A)·op(B) + beta·C on whole matrices with the given leading dimensions. */
    private static void gemm(boolean ta, boolean tb, int m, int nn, int kk, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc) {
        Blas.sgemm(ta, tb, m, nn, kk, 1f, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
    }

    /** C = alpha·op(A)·op(B) + beta·C on sub-matrices at offsets. */
    private static void gemm(boolean ta, boolean tb, int m, int nn, int kk, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, float alpha) {
        Blas.sgemm(ta, tb, m, nn, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
