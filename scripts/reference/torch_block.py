"""Reference for the transformer-block parity test (tests/PolyGlot.Torch.Tests/TransformerBlockParityTests.cs).

Builds a one-block decoder-only language model in plain PyTorch ops, runs forward, cross-entropy
(with ignored targets) and backward in float32, and writes the parameters, inputs, loss and every
parameter gradient. Attention, normalisation and rotary embedding are written out by hand here,
so the C# side (which uses libtorch's fused functions) is checked against an independent formula.

usage: torch_block.py OUTPUT_DIR {gpt2,llama}
  gpt2:  learned positions, LayerNorm, GELU (tanh) MLP, biases     (PolyLM layout)
  llama: rotary positions, RMSNorm, SiLU-gated MLP, no biases
"""
import math
import sys

import torch

from torch_reference_io import ReferenceWriter

B, T, V, C, H, F = 2, 8, 32, 16, 4, 48
D = C // H
IGNORE = -100


def parameters(layout):
    g = torch.Generator().manual_seed(1234)

    def randn(*shape, std=0.2):
        return (torch.randn(*shape, generator=g) * std).requires_grad_()

    p = {"wte": randn(V, C, std=0.5), "attn_qkv_w": randn(3 * C, C), "attn_proj_w": randn(C, C),
         "lm_head_w": randn(V, C)}
    if layout == "gpt2":
        p.update({"wpe": randn(T, C, std=0.5), "attn_qkv_b": randn(3 * C), "attn_proj_b": randn(C),
                  "ln1_w": (1 + randn(C)).detach().requires_grad_(), "ln1_b": randn(C),
                  "ln2_w": (1 + randn(C)).detach().requires_grad_(), "ln2_b": randn(C),
                  "lnf_w": (1 + randn(C)).detach().requires_grad_(), "lnf_b": randn(C),
                  "fc_w": randn(F, C), "fc_b": randn(F), "fc2_w": randn(C, F), "fc2_b": randn(C)})
    else:
        p.update({"norm1_w": (1 + randn(C)).detach().requires_grad_(),
                  "norm2_w": (1 + randn(C)).detach().requires_grad_(),
                  "normf_w": (1 + randn(C)).detach().requires_grad_(),
                  "gate_w": randn(F, C), "up_w": randn(F, C), "down_w": randn(C, F)})
    return p, g


def layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps=1e-6):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def rotary(x):
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, D, 2, dtype=torch.float32) / D))
    angles = torch.outer(torch.arange(T, dtype=torch.float32), inv_freq)
    full = torch.cat([angles, angles], -1)
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    return x * full.cos() + torch.cat([-x2, x1], -1) * full.sin()


def attention(x, p, layout):
    qkv = x @ p["attn_qkv_w"].t()
    if layout == "gpt2":
        qkv = qkv + p["attn_qkv_b"]
    q, k, v = [t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=-1)]  # (B, H, T, D)
    if layout == "llama":
        q, k = rotary(q), rotary(k)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    y = (weights @ v).transpose(1, 2).reshape(B, T, C)
    y = y @ p["attn_proj_w"].t()
    return y + p["attn_proj_b"] if layout == "gpt2" else y


def forward(p, ids, layout):
    x = p["wte"][ids]
    if layout == "gpt2":
        x = x + p["wpe"][torch.arange(T)]
        x = x + attention(layer_norm(x, p["ln1_w"], p["ln1_b"]), p, layout)
        h = gelu_tanh(layer_norm(x, p["ln2_w"], p["ln2_b"]) @ p["fc_w"].t() + p["fc_b"])
        x = x + h @ p["fc2_w"].t() + p["fc2_b"]
        x = layer_norm(x, p["lnf_w"], p["lnf_b"])
    else:
        x = x + attention(rms_norm(x, p["norm1_w"]), p, layout)
        n = rms_norm(x, p["norm2_w"])
        g = n @ p["gate_w"].t()
        x = x + (g * torch.sigmoid(g) * (n @ p["up_w"].t())) @ p["down_w"].t()
        x = rms_norm(x, p["normf_w"])
    return x @ p["lm_head_w"].t()  # (B, T, V)


def cross_entropy(logits, targets):
    logp = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    keep = targets != IGNORE
    picked = logp[keep].gather(1, targets[keep].unsqueeze(1)).squeeze(1)
    return -picked.sum() / keep.sum()


def main():
    out, layout = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    p, g = parameters(layout)
    ids = torch.randint(0, V, (B, T), generator=g)
    targets = torch.randint(0, V, (B, T), generator=g)
    targets[0, 2] = IGNORE
    targets[1, 5] = IGNORE
    logits = forward(p, ids, layout)
    loss = cross_entropy(logits.view(B * T, V), targets.view(B * T))
    loss.backward()

    w = ReferenceWriter(out)
    w.tensor("ids", ids)
    w.tensor("targets", targets)
    w.tensor("logits", logits)
    w.scalar("loss", loss.item())
    for name, value in p.items():
        w.tensor(name, value)
        w.tensor("grad_" + name, value.grad)
    w.close()


if __name__ == "__main__":
    main()
