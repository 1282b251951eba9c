"""Reference for the optimizer parity tests (tests/PolyGlot.Torch.Tests/Optim/).

adamw: two parameter groups (weight decay 0.1 and 0) updated for STEPS steps by
torch.optim.AdamW with fixed per-step gradients; writes the initial parameters, every step's
gradients and the parameters after each step.
clip: gradients of three tensors clipped by torch.nn.utils.clip_grad_norm_ with a max norm below
(clipping) and above (no clipping) their total norm; writes gradients before/after and the norms.

usage: torch_optim.py OUTPUT_DIR {adamw,clip}
"""
import sys

import torch

from torch_reference_io import ReferenceWriter

STEPS = 5
SHAPES = {"w0": (6, 5), "w1": (7,), "w2": (3, 4, 2)}
LR, BETAS, EPS = 3e-3, (0.9, 0.95), 1e-8
DECAYS = {"w0": 0.1, "w1": 0.0, "w2": 0.1}


def adamw(w):
    g = torch.Generator().manual_seed(7)
    params = {n: torch.randn(*s, generator=g).requires_grad_() for n, s in SHAPES.items()}
    for n, p in params.items():
        w.tensor("init_" + n, p)
    groups = [{"params": [params[n] for n in SHAPES if DECAYS[n] == d], "weight_decay": d} for d in (0.1, 0.0)]
    opt = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS)
    for step in range(1, STEPS + 1):
        for n, p in params.items():
            p.grad = torch.randn(*SHAPES[n], generator=g) * step
            w.tensor(f"grad{step}_{n}", p.grad)
        opt.step()
        for n, p in params.items():
            w.tensor(f"after{step}_{n}", p)
    w.scalar("steps", STEPS)
    w.scalar("lr", LR)
    w.scalar("beta1", BETAS[0])
    w.scalar("beta2", BETAS[1])
    w.scalar("eps", EPS)
    for n in SHAPES:
        w.scalar("decay_" + n, DECAYS[n])


def clip(w):
    g = torch.Generator().manual_seed(11)
    for case, max_norm in (("clipped", 1.0), ("unclipped", 1000.0)):
        params = [torch.zeros(*s, requires_grad=True) for s in SHAPES.values()]
        for i, p in enumerate(params):
            p.grad = torch.randn(*p.shape, generator=g) * (i + 1)
            w.tensor(f"{case}_before{i}", p.grad)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        for i, p in enumerate(params):
            w.tensor(f"{case}_after{i}", p.grad)
        w.scalar(f"{case}_max_norm", max_norm)
        w.scalar(f"{case}_total", total.item())


def main():
    torch.set_num_threads(1)
    w = ReferenceWriter(sys.argv[1])
    {"adamw": adamw, "clip": clip}[sys.argv[2]](w)
    w.close()


if __name__ == "__main__":
    main()
