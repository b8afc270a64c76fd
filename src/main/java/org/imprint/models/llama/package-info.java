/**
 * A small LLaMA-style decoder ({@link org.imprint.models.llama.Llama}: RMSNorm, rotary causal self-attention,
 * SwiGLU, byte vocabulary), its float32 training step written out by hand
 * ({@link org.imprint.models.llama.LlamaBackprop}, checked against autograd), its byte-level text corpus with a
 * 90/10 split, and the training loop used by {@code imprint lm} and the SUMO experiments.
 */
package org.imprint.models.llama;
