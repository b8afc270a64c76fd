#!/usr/bin/env python3
"""PyTorch side of `imprint bench train`: times full-batch training epochs of an MLP.

Reads a safetensors file written by Imprint holding "x" (n, d), "y" (n,) in {-1, +1} and the initial
parameters "0.weight", "0.bias", "2.weight", ... (PyTorch nn.Linear layout), builds the same
nn.Sequential(Linear, ReLU, ..., Linear) (bias only where the file has one), and times epochs of
  forward -> mean logistic loss log(1 + exp(-y f(x))) -> backward -> SGD step (lr given, no momentum)
exactly as Imprint's epoch does. Prints one JSON object: per-epoch times (ms) and the loss after each epoch.

Usage: bench_train_torch.py FILE --dtype f64|f32 --lr 0.01 --warmup 3 --epochs 20 [--torch-threads N]
Threads: set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / OMP_WAIT_POLICY in the environment (the Java side
tries several settings and keeps PyTorch's fastest).
"""
import argparse
import json
import sys
import time

import numpy as np
import torch

import safetensors_np  # beside this script


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--dtype", choices=["f64", "f32"], default="f64")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--torch-threads", type=int, default=0)
    a = ap.parse_args()
    if a.torch_threads > 0:
        torch.set_num_threads(a.torch_threads)
    dtype = torch.float64 if a.dtype == "f64" else torch.float32
    t, _ = safetensors_np.read(a.file)
    x = torch.tensor(np.array(t["x"]), dtype=dtype)
    y = torch.tensor(np.array(t["y"]), dtype=dtype)
    layers = []
    i = 0
    while f"{2 * i}.weight" in t:
        w = t[f"{2 * i}.weight"]
        lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=f"{2 * i}.bias" in t).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(np.array(w)))
            if lin.bias is not None:
                lin.bias.copy_(torch.tensor(np.array(t[f"{2 * i}.bias"])))
        layers += [lin, torch.nn.ReLU()]
        i += 1
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)

    def epoch():
        f = model(x).reshape(-1)
        loss = torch.nn.functional.softplus(-y * f).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    losses, times = [], []
    for k in range(a.warmup + a.epochs):
        t0 = time.perf_counter()
        loss = epoch()
        dt = time.perf_counter() - t0
        losses.append(loss)
        if k >= a.warmup:
            times.append(dt * 1e3)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "times_ms": times, "losses": losses}, sys.stdout)


if __name__ == "__main__":
    main()
