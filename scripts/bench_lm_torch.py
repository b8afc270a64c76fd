#!/usr/bin/env python3
"""PyTorch side of `imprint bench lm`: times training steps of the same small LLaMA-style decoder.

Reads a safetensors file written by Imprint holding the initial parameters under llama2.c's names
(tok_embeddings.weight, layers.L.attention_norm.weight, layers.L.attention.wq/wk/wv/wo.weight,
layers.L.ffn_norm.weight, layers.L.feed_forward.w1/w2/w3.weight, norm.weight, output.weight) and the
token batches "inputs" / "targets" (steps, B*T) as F32, builds the same model as
org.imprint.models.llama.Llama:
  x = emb[ids]; per block: x += Wo·attn(rope(Wq h), rope(Wk h), Wv h) with h = rmsnorm(x),
  x += W2·(silu(W1 f) * W3 f) with f = rmsnorm(x); logits = output(rmsnorm(x))
(rotate-half RoPE with base 10000, causal softmax, RMSNorm eps 1e-5, no biases), and times steps of
  forward -> mean cross-entropy -> backward -> torch.optim.AdamW(lr, betas, eps, weight_decay)
in float32. Prints one JSON object: per-step times (ms) and the loss of every step.

Usage: bench_lm_torch.py FILE --layers L --heads H --lr 3e-3 --warmup 5 [--torch-threads N]
"""
import argparse
import json
import math
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    buf = raw[8 + n:]
    types = {"F64": np.float64, "F32": np.float32}
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        out[name] = np.frombuffer(buf[start:end], dtype=types[spec["dtype"]]).reshape(spec["shape"])
    return out


def rms_norm(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


def loss_fn(p, ids, targets, layers, heads, batch, t, cos, sin):
    d = p["tok_embeddings.weight"].shape[1]
    hs = d // heads
    x = p["tok_embeddings.weight"][ids]  # (B*T, d)
    mask = torch.full((t, t), float("-inf")).triu(1)
    for l in range(layers):
        b = f"layers.{l}."
        h = rms_norm(x, p[b + "attention_norm.weight"])
        def split(w):
            return F.linear(h, w).view(batch, t, heads, hs).transpose(1, 2)  # (B, H, T, hs)
        q = rope(split(p[b + "attention.wq.weight"]), cos, sin)
        k = rope(split(p[b + "attention.wk.weight"]), cos, sin)
        v = split(p[b + "attention.wv.weight"])
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hs) + mask, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(batch * t, d)
        x = x + F.linear(y, p[b + "attention.wo.weight"])
        f = rms_norm(x, p[b + "ffn_norm.weight"])
        x = x + F.linear(F.silu(F.linear(f, p[b + "feed_forward.w1.weight"])) * F.linear(f, p[b + "feed_forward.w3.weight"]),
                         p[b + "feed_forward.w2.weight"])
    x = rms_norm(x, p["norm.weight"])
    return F.cross_entropy(F.linear(x, p["output.weight"]), targets)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.999)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--torch-threads", type=int, default=0)
    a = ap.parse_args()
    if a.torch_threads > 0:
        torch.set_num_threads(a.torch_threads)
    t = read_safetensors(a.file)
    inputs = torch.tensor(np.array(t.pop("inputs")), dtype=torch.long)
    targets = torch.tensor(np.array(t.pop("targets")), dtype=torch.long)
    batch = int(t.pop("batch").reshape(-1)[0])
    params = {k: torch.tensor(np.array(v), dtype=torch.float32).requires_grad_(True) for k, v in t.items()}
    steps, bt = inputs.shape
    length = bt // batch
    d = params["tok_embeddings.weight"].shape[1]
    hs = d // a.heads
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    freq = torch.tensor([10000.0 ** (-2.0 * (i % (hs // 2)) / hs) for i in range(hs)], dtype=torch.float64)[None, :]
    cos, sin = torch.cos(pos * freq).float(), torch.sin(pos * freq).float()
    opt = torch.optim.AdamW(list(params.values()), lr=a.lr, betas=(a.beta1, a.beta2), eps=a.eps, weight_decay=a.weight_decay)
    times, losses = [], []
    for s in range(steps):
        start = time.perf_counter()
        loss = loss_fn(params, inputs[s], targets[s], a.layers, a.heads, batch, length, cos, sin)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        elapsed = time.perf_counter() - start
        losses.append(loss.item())
        if s >= a.warmup:
            times.append(elapsed * 1e3)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "step_ms": times, "losses": losses}))


if __name__ == "__main__":
    main()
