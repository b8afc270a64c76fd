package org.imprint.models.llama;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imprint.tensor.DType;
import org.imprint.tensor.Functional;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;

/**
 * A small LLaMA-style decoder (Touvron et al. 2023; the layout of llama2.c's model.py): token embedding, then per
 * block x ← x + Attn(RMSNorm(x)), x ← x + SwiGLU(RMSNorm(x)), then a final RMSNorm and an untied output head.
 * <pre>
 *   Attn(h):   q, k, v = h·Wqᵀ, h·Wkᵀ, h·Wvᵀ  split into H heads       (B,T,d) → (B·H,T,d/H)
 *              q, k ← RoPE(q), RoPE(k)     rotate-half pairs (i, i + d/2H) by t·θ^(−2i/(d/H))
 *              a = causal-softmax(q·kᵀ / √(d/H))·v,  merged, then ·Woᵀ
 *   SwiGLU(h): (silu(h·W1ᵀ) ⊙ h·W3ᵀ)·W2ᵀ
 * </pre>
 * No biases. Parameters use llama2.c's names ({@code tok_embeddings.weight}, {@code layers.L.attention.wq.weight},
 * …, {@code output.weight}). Initialisation as llama2.c: N(0, 0.02²) everywhere, N(0, (0.02/√(2L))²) for Wo and
 * W2, norms at 1. The hidden matrices (Wq, Wk, Wv, Wo, W1, W2, W3) are what matrix optimizers update.
 */
public final class Llama {
    private final LlamaConfig config;
    private final DType dtype;
    private final Map<String, Tensor> params;
    private final Tensor cos, sin; // (T, headSize): cos/sin(t·θ_j), j = i mod headSize/2

    private Llama(LlamaConfig config, DType dtype, Map<String, Tensor> params) {
        this.config = config;
        this.dtype = dtype;
        this.params = params;
        int hs = config.headSize(), half = hs / 2, t = config.context();
        double[] c = new double[t * hs], s = new double[t * hs];
        for (int pos = 0; pos < t; pos++) {
            for (int i = 0; i < hs; i++) {
                double angle = pos * Math.pow(config.ropeTheta(), -2.0 * (i % half) / hs);
                c[pos * hs + i] = Math.cos(angle);
                s[pos * hs + i] = Math.sin(angle);
            }
        }
        this.cos = Tensor.of(c, t, hs).to(dtype);
        this.sin = Tensor.of(s, t, hs).to(dtype);
    }

    /** A freshly initialised model; the same seed gives the same bits. */
    public static Llama initialise(LlamaConfig c, DType dtype, Rng rng) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        double std = 0.02, residualStd = 0.02 / Math.sqrt(2.0 * c.layers());
        p.put("tok_embeddings.weight", Tensor.normal(dtype, rng, 0, std, c.vocab(), c.dim()));
        for (int l = 0; l < c.layers(); l++) {
            String b = "layers." + l + ".";
            p.put(b + "attention_norm.weight", Tensor.ones(dtype, c.dim()));
            p.put(b + "attention.wq.weight", Tensor.normal(dtype, rng, 0, std, c.dim(), c.dim()));
            p.put(b + "attention.wk.weight", Tensor.normal(dtype, rng, 0, std, c.dim(), c.dim()));
            p.put(b + "attention.wv.weight", Tensor.normal(dtype, rng, 0, std, c.dim(), c.dim()));
            p.put(b + "attention.wo.weight", Tensor.normal(dtype, rng, 0, residualStd, c.dim(), c.dim()));
            p.put(b + "ffn_norm.weight", Tensor.ones(dtype, c.dim()));
            p.put(b + "feed_forward.w1.weight", Tensor.normal(dtype, rng, 0, std, c.ffn(), c.dim()));
            p.put(b + "feed_forward.w2.weight", Tensor.normal(dtype, rng, 0, residualStd, c.dim(), c.ffn()));
            p.put(b + "feed_forward.w3.weight", Tensor.normal(dtype, rng, 0, std, c.ffn(), c.dim()));
        }
        p.put("norm.weight", Tensor.ones(dtype, c.dim()));
        p.put("output.weight", Tensor.normal(dtype, rng, 0, std, c.vocab(), c.dim()));
        for (Tensor t : p.values()) t.requiresGrad(true);
        return new Llama(c, dtype, p);
    }

    /** A model from named tensors (a checkpoint), checked against the config's shapes and converted to dtype. */
    public static Llama fromTensors(LlamaConfig c, DType dtype, Map<String, Tensor> tensors, String source) {
        Llama shape = initialise(c, DType.F64, new Rng(0));
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : shape.params.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) throw new org.imprint.io.BadInputException(source + ": missing tensor " + e.getKey());
            if (!java.util.Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new org.imprint.io.BadInputException(source + ": " + e.getKey() + " has shape " + java.util.Arrays.toString(t.shape())
                        + ", the config needs " + java.util.Arrays.toString(e.getValue().shape()));
            }
            p.put(e.getKey(), t.to(dtype).copy().requiresGrad(true));
        }
        return new Llama(c, dtype, p);
    }

    public LlamaConfig config() { return config; }

    /** cos(t·θ_j) for the rotary embedding, (T, headSize) with j = i mod headSize/2 (for {@link LlamaBackprop}). */
    Tensor ropeCos() { return cos; }

    /** sin(t·θ_j), laid out as {@link #ropeCos()}. */
    Tensor ropeSin() { return sin; }

    public DType dtype() { return dtype; }

    /** Every parameter under its llama2.c name, in a fixed order (shares the live tensors). */
    public Map<String, Tensor> namedParameters() { return params; }

    public List<Tensor> parameters() { return new ArrayList<>(params.values()); }

    /** The 2-D weights inside the blocks: what Muon, GaLore and SUMO update. */
    public List<Tensor> hiddenMatrices() {
        List<Tensor> out = new ArrayList<>();
        params.forEach((k, v) -> { if (k.startsWith("layers.") && v.rank() == 2) out.add(v); });
        return out;
    }

    /** Embedding, output head and norms: what stays with AdamW. */
    public List<Tensor> otherParameters() {
        List<Tensor> hidden = hiddenMatrices(), out = new ArrayList<>();
        for (Tensor t : params.values()) if (!hidden.contains(t)) out.add(t);
        return out;
    }

    /** Logits (B·T, V) for token ids (B·T) laid out as B sequences of length T ≤ context. */
    public Tensor logits(int[] tokens, int batch, int t) {
        if (tokens.length != batch * t) throw new IllegalArgumentException(tokens.length + " tokens for " + batch + " sequences of " + t);
        if (t > config.context()) throw new IllegalArgumentException("sequence length " + t + " exceeds the context " + config.context());
        int d = config.dim(), h = config.heads(), hs = config.headSize();
        Tensor cosT = t == config.context() ? cos : cos.slice(0, 0, t), sinT = t == config.context() ? sin : sin.slice(0, 0, t);
        Tensor x = Functional.embedding(params.get("tok_embeddings.weight"), tokens);                 // (B·T, d)
        for (int l = 0; l < config.layers(); l++) {
            String b = "layers." + l + ".";
            Tensor hN = Functional.rmsNorm(x, params.get(b + "attention_norm.weight"), config.normEps());
            Tensor q = heads(Functional.linear(hN, params.get(b + "attention.wq.weight"), null), batch, t);   // (B·H, T, hs)
            Tensor k = heads(Functional.linear(hN, params.get(b + "attention.wk.weight"), null), batch, t);
            Tensor v = heads(Functional.linear(hN, params.get(b + "attention.wv.weight"), null), batch, t);
            q = rope(q, cosT, sinT);
            k = rope(k, cosT, sinT);
            Tensor att = Functional.causalSoftmax(q.mm(k, false, true).mul(1.0 / Math.sqrt(hs)));       // (B·H, T, T)
            Tensor y = att.mm(v, false, false).reshape(batch, h, t, hs).permute(0, 2, 1, 3).reshape(batch * t, d);
            x = x.add(Functional.linear(y, params.get(b + "attention.wo.weight"), null));
            Tensor f = Functional.rmsNorm(x, params.get(b + "ffn_norm.weight"), config.normEps());
            Tensor gate = Functional.silu(Functional.linear(f, params.get(b + "feed_forward.w1.weight"), null));
            Tensor up = Functional.linear(f, params.get(b + "feed_forward.w3.weight"), null);
            x = x.add(Functional.linear(gate.mul(up), params.get(b + "feed_forward.w2.weight"), null));
        }
        x = Functional.rmsNorm(x, params.get("norm.weight"), config.normEps());
        return Functional.linear(x, params.get("output.weight"), null);
    }

    /** Mean next-token cross-entropy of the logits of {@code inputs} against {@code targets} (both B·T). */
    public Tensor loss(int[] inputs, int[] targets, int batch, int t) {
        return Functional.crossEntropy(logits(inputs, batch, t), targets);
    }

    /** (B·T, d) → (B·H, T, hs). */
    private Tensor heads(Tensor x, int batch, int t) {
        int h = config.heads(), hs = config.headSize();
        return x.reshape(batch, t, h, hs).permute(0, 2, 1, 3).reshape(batch * h, t, hs);
    }

    /** Rotary embedding, rotate-half form: x·cos + (−x₂, x₁)·sin over the last axis, x = (x₁, x₂). */
    private static Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        int hs = x.dim(-1), half = hs / 2;
        Tensor rotated = Tensor.concat(List.of(x.slice(-1, half, hs).neg(), x.slice(-1, 0, half)), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
