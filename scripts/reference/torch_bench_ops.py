"""PyTorch side of `polyglot bench ops`: the same cases as src/PolyGlot.Cli/Commands/BenchOpsCommand.cs,
timed the same way (median over rounds of ns per iteration). Prints one JSON object to stdout.

usage: torch_bench_ops.py --threads N --rounds R --scale S
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from torch_version import TORCH_VERSION

# The kernels the C# side's shim takes on this libtorch: 2.x's public scaled_dot_product_attention
# (1.13 has only the private math path), and the fused AdamW kernel on the CPU from 2.4.
ADAMW_KERNEL = {"fused": True} if TORCH_VERSION >= (2, 4) else {}


def causal_attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, True)[0]


def cases():
    a, b = torch.randn(8, 8), torch.randn(8, 8)

    def add():
        a + b

    def add_scalar():
        a * 2.0

    def matmul():
        a @ b

    def transpose():
        a.transpose(0, 1)

    def sum_all():
        a.sum()

    def softmax():
        torch.softmax(a, -1)

    def chain10():
        x = a
        for _ in range(10):
            x = x + b

    def linear_gelu():
        F.gelu(F.linear(a, b))

    yield "add 8x8", 20000, add
    yield "mul scalar 8x8", 20000, add_scalar
    yield "matmul 8x8", 20000, matmul
    yield "transpose (view)", 20000, transpose
    yield "sum 8x8", 20000, sum_all
    yield "softmax 8x8", 20000, softmax
    yield "linear+gelu 8x8", 10000, linear_gelu
    yield "10 adds in a scope", 2000, chain10
    yield "MLP train step", 200, mlp_step()
    yield "transformer train step", 50, transformer_step()


def mlp_step():
    # Batch 32, 64 -> 128 -> 10, GELU, cross-entropy, AdamW.
    torch.manual_seed(0)
    w1 = (torch.randn(128, 64) * 0.1).requires_grad_()
    b1 = torch.zeros(128, requires_grad=True)
    w2 = (torch.randn(10, 128) * 0.1).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]
    opt = torch.optim.AdamW(params, lr=1e-3, **ADAMW_KERNEL)
    x, y = torch.randn(32, 64), torch.randint(0, 10, (32,))

    def step():
        loss = F.cross_entropy(F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step


def transformer_step():
    # One GPT-2-style block, B 4, T 32, C 64, 4 heads, vocab 256, AdamW; same as the C# case.
    torch.manual_seed(0)
    B, T, C, H, V = 4, 32, 64, 4, 256
    D = C // H

    def p(*shape, std=0.02):
        return (torch.randn(*shape) * std).requires_grad_()

    wte, wpe = p(V, C), p(T, C)
    ln1w, ln1b, ln2w, ln2b, lnfw, lnfb = (torch.ones(C, requires_grad=True), torch.zeros(C, requires_grad=True),
                                          torch.ones(C, requires_grad=True), torch.zeros(C, requires_grad=True),
                                          torch.ones(C, requires_grad=True), torch.zeros(C, requires_grad=True))
    qkv_w, qkv_b, proj_w, proj_b = p(3 * C, C), torch.zeros(3 * C, requires_grad=True), p(C, C), torch.zeros(C, requires_grad=True)
    fc_w, fc_b, fc2_w, fc2_b = p(4 * C, C), torch.zeros(4 * C, requires_grad=True), p(C, 4 * C), torch.zeros(C, requires_grad=True)
    head = p(V, C)
    params = [wte, wpe, ln1w, ln1b, ln2w, ln2b, lnfw, lnfb, qkv_w, qkv_b, proj_w, proj_b, fc_w, fc_b, fc2_w, fc2_b, head]
    opt = torch.optim.AdamW(params, lr=1e-3, **ADAMW_KERNEL)
    ids, targets = torch.randint(0, V, (B, T)), torch.randint(0, V, (B, T))
    positions = torch.arange(T)

    def step():
        x = F.embedding(ids, wte) + F.embedding(positions, wpe)
        h = F.layer_norm(x, (C,), ln1w, ln1b)
        q, k, v = F.linear(h, qkv_w, qkv_b).split(C, dim=-1)
        q, k, v = [t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v)]
        y = causal_attention(q, k, v)
        x = x + F.linear(y.transpose(1, 2).reshape(B, T, C), proj_w, proj_b)
        h = F.layer_norm(x, (C,), ln2w, ln2b)
        x = x + F.linear(F.gelu(F.linear(h, fc_w, fc_b), approximate="tanh"), fc2_w, fc2_b)
        logits = F.linear(F.layer_norm(x, (C,), lnfw, lnfb), head)
        loss = F.cross_entropy(logits.view(B * T, V), targets.view(B * T))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step


def measure(iterations, body, rounds):
    for _ in range(max(1, iterations // 10)):
        body()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            body()
        samples.append((time.perf_counter_ns() - start) / iterations)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = {name: measure(max(1, int(n * args.scale)), body, args.rounds) for name, n, body in cases()}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ns_per_iteration": results}))


if __name__ == "__main__":
    main()
