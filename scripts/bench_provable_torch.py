#!/usr/bin/env python3
"""PyTorch side of `imprint bench provable`: the high-dimensional protocol of Smorodinsky, Vardi & Safran (2024).

Reads a safetensors file written by Imprint holding "x" (n, d), "y" (n,) in {-1, +1}, "test_x" (N, d) and the
initial parameters "0.weight" (k, d), "0.bias" (k,), "2.weight" (1, k) of Linear(d, k) -> ReLU ->
Linear(k, 1, bias=False). One repetition = the authors' training (BCEWithLogits on (y+1)/2, i.e. the mean logistic
loss, full-batch SGD lr 1 for --steps steps, StepLR(30, 0.7)) from those initial weights, then one forward pass
over the test points under no_grad. Prints one JSON object: the wall time of each repetition (ms), the final
training loss and the first test outputs (for a correctness check).

Usage: bench_provable_torch.py FILE --dtype f64|f32 --steps 100 --repeats 3 [--torch-threads N]
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
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--torch-threads", type=int, default=0)
    a = ap.parse_args()
    if a.torch_threads > 0:
        torch.set_num_threads(a.torch_threads)
    dtype = torch.float64 if a.dtype == "f64" else torch.float32
    t, _ = safetensors_np.read(a.file)
    x = torch.tensor(np.array(t["x"]), dtype=dtype)
    target = (torch.tensor(np.array(t["y"]), dtype=dtype).reshape(-1, 1) + 1) / 2
    test_x = torch.tensor(np.array(t["test_x"]), dtype=dtype)
    d, k = x.shape[1], t["0.weight"].shape[0]

    times, loss_value, outputs = [], None, None
    for _ in range(a.repeats):
        first = torch.nn.Linear(d, k).to(dtype)
        second = torch.nn.Linear(k, 1, bias=False).to(dtype)
        with torch.no_grad():
            first.weight.copy_(torch.tensor(np.array(t["0.weight"])))
            first.bias.copy_(torch.tensor(np.array(t["0.bias"])))
            second.weight.copy_(torch.tensor(np.array(t["2.weight"])))
        model = torch.nn.Sequential(first, torch.nn.ReLU(), second)
        t0 = time.perf_counter()
        loss_fn = torch.nn.BCEWithLogitsLoss()
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.7)
        for _ in range(a.steps):
            loss = loss_fn(model(x), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            out = model(test_x).reshape(-1)
            loss_value = loss_fn(model(x), target).item()
        times.append((time.perf_counter() - t0) * 1e3)
        outputs = out[:50].tolist()
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "times_ms": times,
               "final_loss": loss_value, "test_outputs": outputs}, sys.stdout)


if __name__ == "__main__":
    main()
