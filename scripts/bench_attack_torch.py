#!/usr/bin/env python3
"""PyTorch side of `imprint bench attack`: one iteration of the KKT reconstruction attack, generic autograd.

Reads a safetensors file written by Imprint with the victim's parameters ("0.weight", "0.bias", "2.weight",
..., PyTorch nn.Linear layout), the candidates "x" (m, d), multipliers "lambda" (m) and signs "y" (m), and
the attack's constants in the metadata (alpha, lambda_min, box_lo, box_hi). One iteration computes, as
Haim et al.'s extraction.py does,
  L = sum_p ||theta_p - grad_theta sum_j lambda_j y_j f(x_j) / m||^2 + box prior + 5 sum relu(lambda_min - lambda)^2
with the ReLU's derivative replaced by sigmoid(alpha z) (a custom autograd Function whose backward is itself
differentiable), then dL/dx and dL/dlambda with torch.autograd.grad. Prints one JSON object: per-iteration
times (ms) and the loss and gradient norms of the first iteration (a cross-check).

Usage: bench_attack_torch.py FILE --warmup 2 --iterations 10 [--torch-threads N]
"""
import argparse
import json
import sys
import time

import numpy as np
import torch

import safetensors_np  # beside this script


class SmoothReLU(torch.autograd.Function):
    """Forward relu(z); backward g * sigmoid(alpha z), differentiable again (double backprop)."""

    @staticmethod
    def forward(ctx, z, alpha):
        ctx.save_for_backward(z)
        ctx.alpha = alpha
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * torch.sigmoid(ctx.alpha * z), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--torch-threads", type=int, default=0)
    a = ap.parse_args()
    if a.torch_threads > 0:
        torch.set_num_threads(a.torch_threads)
    t, meta = safetensors_np.read(a.file)
    alpha, lmin = float(meta["alpha"]), float(meta["lambda_min"])
    lo, hi = float(meta["box_lo"]), float(meta["box_hi"])
    params = []
    i = 0
    while f"{2 * i}.weight" in t:
        w = torch.tensor(np.array(t[f"{2 * i}.weight"]), requires_grad=True)
        b = torch.tensor(np.array(t[f"{2 * i}.bias"]), requires_grad=True) if f"{2 * i}.bias" in t else None
        params.append((w, b))
        i += 1
    theta = [p for wb in params for p in wb if p is not None]
    x = torch.tensor(np.array(t["x"]), requires_grad=True)
    lam = torch.tensor(np.array(t["lambda"]), requires_grad=True)
    y = torch.tensor(np.array(t["y"]))
    m = x.shape[0]

    def iteration():
        h = x
        for k, (w, b) in enumerate(params):
            h = h @ w.T
            if b is not None:
                h = h + b
            if k < len(params) - 1:
                h = SmoothReLU.apply(h, alpha)
        out = (lam * y * h.reshape(-1)).sum() / m
        g = torch.autograd.grad(out, theta, create_graph=True)
        loss = sum(((p.detach() - gp) ** 2).sum() for p, gp in zip(theta, g))
        loss = loss + (torch.relu(x - hi) ** 2).sum() + (torch.relu(lo - x) ** 2).sum()
        loss = loss + 5 * (torch.relu(lmin - lam) ** 2).sum()
        gx, gl = torch.autograd.grad(loss, [x, lam])
        return loss.item(), gx.norm().item(), gl.norm().item()

    times, first = [], None
    for k in range(a.warmup + a.iterations):
        t0 = time.perf_counter()
        r = iteration()
        dt = time.perf_counter() - t0
        if first is None:
            first = r
        if k >= a.warmup:
            times.append(dt * 1e3)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "times_ms": times,
               "loss": first[0], "grad_x_norm": first[1], "grad_lambda_norm": first[2]}, sys.stdout)


if __name__ == "__main__":
    main()
