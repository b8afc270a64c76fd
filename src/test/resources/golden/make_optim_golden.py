"""Golden values for OptimizerGoldenTest: a few steps of torch.optim.SGD (Nesterov), Adam and AdamW in float64.

Run with Debian's python3 (python3-torch 1.13):  /usr/bin/python3 make_optim_golden.py > optim_golden.json
Parameters: theta0[i] = sin(i + 1) for i in 0..11, shape (3, 4); target c[i] = cos(2 i) / 2.
Gradient at step t (from 1): g = theta^3 - c + 0.1 t (elementwise), a different value every step.
"""
import json
import math

import torch

torch.set_default_dtype(torch.float64)
STEPS = 6
CONFIGS = {
    "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_momentum_dampening": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.02),
    "adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}


def run(make):
    theta = torch.tensor([math.sin(i + 1) for i in range(12)]).reshape(3, 4).requires_grad_(True)
    target = torch.tensor([math.cos(2 * i) / 2 for i in range(12)]).reshape(3, 4)
    opt = make(theta)
    for t in range(1, STEPS + 1):
        with torch.no_grad():
            theta.grad = theta.detach() ** 3 - target + 0.1 * t
        opt.step()
    return theta.detach().reshape(-1).tolist()


print(json.dumps({"torch": torch.__version__, "steps": STEPS, "results": {k: run(v) for k, v in CONFIGS.items()}}, indent=1))
