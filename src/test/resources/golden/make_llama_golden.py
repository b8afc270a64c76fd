"""Golden values for LlamaGoldenTest: the loss and gradients of the small LLaMA-style decoder in PyTorch (float64).

Run with Debian's python3 (python3-torch 1.13):  /usr/bin/python3 make_llama_golden.py > llama_golden.json
Config: vocab 11, dim 8, 2 layers, 2 heads, MLP 12, context 5, batch 2, RMSNorm eps 1e-5, RoPE base 10000.
Parameters in llama2.c's order; parameter k (0-based in that order) has values 0.3 * sin(1.7 * i + k), i the
row-major index, except norm weights 1 + 0.1 * sin(i + k). Tokens: inputs[j] = (3 j + 1) mod 11, targets[j] = (5 j + 2) mod 11.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
V, D, L, H, FF, T, B = 11, 8, 2, 2, 12, 5, 2


def shapes():
    out = [("tok_embeddings.weight", (V, D))]
    for l in range(L):
        b = f"layers.{l}."
        out += [(b + "attention_norm.weight", (D,)), (b + "attention.wq.weight", (D, D)), (b + "attention.wk.weight", (D, D)),
                (b + "attention.wv.weight", (D, D)), (b + "attention.wo.weight", (D, D)), (b + "ffn_norm.weight", (D,)),
                (b + "feed_forward.w1.weight", (FF, D)), (b + "feed_forward.w2.weight", (D, FF)), (b + "feed_forward.w3.weight", (FF, D))]
    return out + [("norm.weight", (D,)), ("output.weight", (V, D))]


def rms_norm(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


def loss_fn(p, ids, targets):
    hs = D // H
    pos = torch.arange(T, dtype=torch.float64)[:, None]
    freq = torch.tensor([10000.0 ** (-2.0 * (i % (hs // 2)) / hs) for i in range(hs)])[None, :]
    cos, sin = torch.cos(pos * freq), torch.sin(pos * freq)
    x = p["tok_embeddings.weight"][ids]
    mask = torch.full((T, T), float("-inf")).triu(1)
    for l in range(L):
        b = f"layers.{l}."
        h = rms_norm(x, p[b + "attention_norm.weight"])
        split = lambda w: F.linear(h, w).view(B, T, H, hs).transpose(1, 2)
        q, k, v = rope(split(p[b + "attention.wq.weight"]), cos, sin), rope(split(p[b + "attention.wk.weight"]), cos, sin), split(p[b + "attention.wv.weight"])
        y = (torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hs) + mask, dim=-1) @ v).transpose(1, 2).reshape(B * T, D)
        x = x + F.linear(y, p[b + "attention.wo.weight"])
        f = rms_norm(x, p[b + "ffn_norm.weight"])
        x = x + F.linear(F.silu(F.linear(f, p[b + "feed_forward.w1.weight"])) * F.linear(f, p[b + "feed_forward.w3.weight"]), p[b + "feed_forward.w2.weight"])
    return F.cross_entropy(F.linear(rms_norm(x, p["norm.weight"]), p["output.weight"]), targets)


params = {}
for k, (name, shape) in enumerate(shapes()):
    n = math.prod(shape)
    if name.endswith("norm.weight"):
        vals = [1 + 0.1 * math.sin(i + k) for i in range(n)]
    else:
        vals = [0.3 * math.sin(1.7 * i + k) for i in range(n)]
    params[name] = torch.tensor(vals).reshape(shape).requires_grad_(True)
ids = torch.tensor([(3 * j + 1) % V for j in range(B * T)])
targets = torch.tensor([(5 * j + 2) % V for j in range(B * T)])
loss = loss_fn(params, ids, targets)
loss.backward()
print(json.dumps({"torch": torch.__version__, "loss": loss.item(),
                  "grads": {k: v.grad.reshape(-1).tolist() for k, v in params.items()}}, indent=0))
