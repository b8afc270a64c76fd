package org.imprint.models.llama;

/**
 * The shape of a {@link Llama} decoder (llama2.c's {@code ModelArgs}, nanoGPT's {@code GPTConfig}).
 *
 * @param vocab      vocabulary size: 256 for raw bytes
 * @param dim        model width d
 * @param layers     number of transformer blocks
 * @param heads      attention heads; dim must be divisible by heads and the head size must be even (rotary pairs)
 * @param ffn        hidden width of the SwiGLU MLP (LLaMA uses ≈ 8d/3 rounded: 172 for d = 64)
 * @param context    the sequence length T trained on (rotary tables are built for it)
 * @param normEps    RMSNorm ε
 * @param ropeTheta  rotary base θ (10000 in LLaMA)
 */
public record LlamaConfig(int vocab, int dim, int layers, int heads, int ffn, int context, double normEps, double ropeTheta) {
    public LlamaConfig {
        if (vocab < 2) throw new IllegalArgumentException("vocabulary size should be >= 2 but is: " + vocab);
        if (dim < 2) throw new IllegalArgumentException("model width should be >= 2 but is: " + dim);
        if (layers < 1) throw new IllegalArgumentException("layers should be >= 1 but is: " + layers);
        if (heads < 1 || dim % heads != 0) throw new IllegalArgumentException("heads should divide the width " + dim + " but is: " + heads);
        if ((dim / heads) % 2 != 0) throw new IllegalArgumentException("head size " + dim / heads + " should be even (rotary embeddings rotate pairs)");
        if (ffn < 1) throw new IllegalArgumentException("MLP width should be >= 1 but is: " + ffn);
        if (context < 1) throw new IllegalArgumentException("context should be >= 1 but is: " + context);
        if (!(normEps > 0)) throw new IllegalArgumentException("RMSNorm epsilon should be > 0 but is: " + normEps);
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("rotary base should be > 0 but is: " + ropeTheta);
    }

    /** sumo.md's tier A for E3: d 64, 2 layers, 4 heads, MLP 172, context 64, byte vocabulary (≈ 0.13 M parameters). */
    public static LlamaConfig tierA() {
        return new LlamaConfig(256, 64, 2, 4, 172, 64, 1e-5, 10000);
    }

    public int headSize() { return dim / heads; }

    /** Number of trainable values. */
    public long parameterCount() {
        long perLayer = 2L * dim + 4L * dim * dim + 3L * dim * ffn;
        return 2L * vocab * dim + layers * perLayer + dim;
    }
}
