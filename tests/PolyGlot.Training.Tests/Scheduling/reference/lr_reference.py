#!/usr/bin/env python3
"""Learning rates from PyTorch's own schedulers, one per line, for comparison with C#.

  lr_reference.py cosine|linear|constant PEAK MIN WARMUP TOTAL

Warm-up is LinearLR(start_factor=1/W, total_iters=W-1), which gives PEAK*(s+1)/W at step s;
decay runs on a second optimizer: CosineAnnealingLR(T_max=TOTAL-W, eta_min=MIN),
LinearLR(1, MIN/PEAK, TOTAL-W) or none (constant). Steps 0..TOTAL are printed.
"""
import sys

import torch


def rates(shape, peak, low, warmup, total):
    out = []
    if warmup > 0:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak)
        sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0,
                                                  total_iters=max(warmup - 1, 1))
        for _ in range(warmup):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak)
    decay = total - warmup
    if shape == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=decay, eta_min=low)
    elif shape == "linear":
        sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=low / peak, total_iters=decay)
    else:
        sched = torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=decay)
    for _ in range(decay + 1):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


if __name__ == "__main__":
    shape, peak, low, warmup, total = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    for lr in rates(shape, peak, low, warmup, total):
        print(repr(lr))
