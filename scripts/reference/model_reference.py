"""Independent PyTorch implementation of PolyGlot's two model layouts.

Used by the numerics tests (tests/PolyGlot.Model.Tests) and by `polyglot bench train`, and meant
for export checks: a model written here from plain torch.nn modules (no transformers package),
loaded from tensors that the C# code writes, must compute what the C# model computes.

  polylm: GPT-2 layout. Pre-LayerNorm, exact (erf) GELU MLP, learned absolute positions, biases,
          tied or untied LM head.
  llama:  RMSNorm (x / sqrt(mean(x^2) + eps) * w, computed in float32), SwiGLU MLP, rotary
          positions in the rotate-half layout (GPT-NeoX / Hugging Face Llama), grouped-query
          attention, no biases, untied head.

Attention here is written out (softmax(q k^T / sqrt(D)) with a causal mask), not libtorch's SDPA,
so the C# side's fused call is checked against the formula.

Exchange format (a directory): manifest.json holds {"config": {...}, "tensors": {name: {"shape",
"dtype"}}, "scalars": {...}}; each tensor is <name>.bin, raw little-endian, row-major
(float32 or int64). Parameter names are PolyGlot's (e.g. layers.0.attn.wq.weight).

usage:
  model_reference.py grads INPUT_DIR OUTPUT_DIR [INPUT_DIR OUTPUT_DIR ...]
      loads parameters, input_ids and targets from INPUT_DIR; writes to OUTPUT_DIR the loss
      (scalar "loss"), the logits ("logits") and every parameter gradient ("grad.<name>"). The
      input manifest's scalars may name a "device" (cpu, cuda) and "precision": "bf16" (autocast).
  model_reference.py bench CONFIG_JSON
      random weights of the configuration in CONFIG_JSON ({"config": {...}, "batch": B,
      "seq_len": T, "steps": N, "warmup": W, "device": "cpu"|"cuda", "dtype": "float32"|"bfloat16",
      "accumulation": A, "threads": P}), times N AdamW training steps (A micro-batches each, global-norm
      clipping) on random tokens after W warm-up steps and prints one JSON line with the median
      {"step_seconds": ..., "tokens_per_second": ...}.
"""
import contextlib
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_version import TORCH_VERSION

IGNORE_INDEX = -100


# ----------------------------------------------------------------------------- configuration

class Config:
    def __init__(self, values):
        self.layout = values["layout"]
        self.vocab_size = int(values["vocab_size"])
        self.d_model = int(values["d_model"])
        self.n_layers = int(values["n_layers"])
        self.n_heads = int(values["n_heads"])
        self.n_kv_heads = int(values.get("n_kv_heads") or self.n_heads)
        self.ffn_hidden = int(values["ffn_hidden"])
        self.max_seq_len = int(values["max_seq_len"])
        self.tied_embeddings = bool(values["tied_embeddings"])
        self.norm_eps = float(values["norm_eps"])
        self.rope_theta = float(values.get("rope_theta", 10000.0))
        self.head_dim = self.d_model // self.n_heads
        if self.layout not in ("polylm", "llama"):
            raise ValueError(f"unknown layout {self.layout!r}; expected polylm or llama")


# ----------------------------------------------------------------------------- layers

class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        normed = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return normed.type_as(x) * self.weight


def rotary_tables(positions, head_dim, theta, device):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32, device=device) / head_dim))
    angles = torch.outer(torch.arange(positions, dtype=torch.float32, device=device), inv_freq)  # (T, D/2)
    full = torch.cat([angles, angles], dim=-1)  # (T, D)
    return full.cos(), full.sin()


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


class Attention(nn.Module):
    def __init__(self, cfg, fused):
        super().__init__()
        bias = cfg.layout == "polylm"
        kv_dim = cfg.n_kv_heads * cfg.head_dim
        self.cfg = cfg
        self.fused = fused and hasattr(F, "scaled_dot_product_attention")
        self.wq = nn.Linear(cfg.d_model, cfg.d_model, bias=bias)
        self.wk = nn.Linear(cfg.d_model, kv_dim, bias=bias)
        self.wv = nn.Linear(cfg.d_model, kv_dim, bias=bias)
        self.wo = nn.Linear(cfg.d_model, cfg.d_model, bias=bias)

    def forward(self, x, rope):
        cfg = self.cfg
        B, T, C = x.shape
        H, KV, D = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        q = self.wq(x).view(B, T, H, D).transpose(1, 2)  # (B, H, T, D)
        k = self.wk(x).view(B, T, KV, D).transpose(1, 2)  # (B, KV, T, D)
        v = self.wv(x).view(B, T, KV, D).transpose(1, 2)  # (B, KV, T, D)
        if rope is not None:
            cos, sin = rope
            q, k = rotate(q, cos[:T], sin[:T]), rotate(k, cos[:T], sin[:T])
        if KV != H:
            k = k.repeat_interleave(H // KV, dim=1)  # (B, H, T, D)
            v = v.repeat_interleave(H // KV, dim=1)  # (B, H, T, D)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)  # (B, H, T, T)
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            y = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1) @ v  # (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.wo(y)


class GeluMlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc_in = nn.Linear(cfg.d_model, cfg.ffn_hidden)
        self.fc_out = nn.Linear(cfg.ffn_hidden, cfg.d_model)

    def forward(self, x):
        return self.fc_out(F.gelu(self.fc_in(x)))


class SwiGluMlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate = nn.Linear(cfg.d_model, cfg.ffn_hidden, bias=False)
        self.up = nn.Linear(cfg.d_model, cfg.ffn_hidden, bias=False)
        self.down = nn.Linear(cfg.ffn_hidden, cfg.d_model, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


def norm(cfg):
    return nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps) if cfg.layout == "polylm" else RMSNorm(cfg.d_model, cfg.norm_eps)


class Block(nn.Module):
    def __init__(self, cfg, fused):
        super().__init__()
        self.attn_norm = norm(cfg)
        self.attn = Attention(cfg, fused)
        self.mlp_norm = norm(cfg)
        self.mlp = GeluMlp(cfg) if cfg.layout == "polylm" else SwiGluMlp(cfg)

    def forward(self, x, rope):
        x = x + self.attn(self.attn_norm(x), rope)
        return x + self.mlp(self.mlp_norm(x))


class Model(nn.Module):
    def __init__(self, cfg, fused=False):
        super().__init__()
        self.cfg = cfg
        self.tokens = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.positions = nn.Embedding(cfg.max_seq_len, cfg.d_model) if cfg.layout == "polylm" else None
        self.layers = nn.ModuleList([Block(cfg, fused) for _ in range(cfg.n_layers)])
        self.final_norm = norm(cfg)
        self.head = None if cfg.tied_embeddings else nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)

    def forward(self, input_ids):
        B, T = input_ids.shape
        x = self.tokens(input_ids)  # (B, T, C)
        rope = None
        if self.positions is not None:
            x = x + self.positions(torch.arange(T, device=input_ids.device))
        else:
            rope = rotary_tables(T, self.cfg.head_dim, self.cfg.rope_theta, input_ids.device)
        for layer in self.layers:
            x = layer(x, rope)
        x = self.final_norm(x)
        weight = self.tokens.weight if self.head is None else self.head.weight
        return x @ weight.t()  # (B, T, V)

    def loss(self, input_ids, targets):
        logits = self.forward(input_ids)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1), ignore_index=IGNORE_INDEX), logits

    def polyglot_parameters(self):
        """PolyGlot's parameter names -> this module's parameters."""
        names = {"embed.tokens.weight": self.tokens.weight}
        if self.positions is not None:
            names["embed.positions.weight"] = self.positions.weight
        for i, layer in enumerate(self.layers):
            prefix = f"layers.{i}."
            for local, parameter in layer.named_parameters():
                names[prefix + local] = parameter
        for local, parameter in self.final_norm.named_parameters():
            names["final_norm." + local] = parameter
        if self.head is not None:
            names["head.weight"] = self.head.weight
        return names


# ----------------------------------------------------------------------------- exchange format

def read_tensors(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    tensors = {}
    for name, info in manifest["tensors"].items():
        dtype = {"float32": torch.float32, "int64": torch.int64}[info["dtype"]]
        with open(os.path.join(directory, name + ".bin"), "rb") as f:
            data = bytearray(f.read())
        tensors[name] = torch.frombuffer(data, dtype=dtype).reshape(info["shape"]).clone()
    return manifest, tensors


def write_tensors(directory, tensors, scalars):
    os.makedirs(directory, exist_ok=True)
    entries = {}
    for name, value in tensors.items():
        value = value.detach().contiguous().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
        with open(os.path.join(directory, name + ".bin"), "wb") as f:
            f.write(value.numpy().tobytes())
        entries[name] = {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "tensors": entries, "scalars": scalars}, f, indent=1)


# ----------------------------------------------------------------------------- commands

def grads(input_dir, output_dir):
    manifest, tensors = read_tensors(input_dir)
    # Optional scalars: "device" (default cpu) and "precision": "bf16" runs forward and loss under
    # torch.autocast(bfloat16) with float32 parameters, as mixed-precision training does.
    options = manifest.get("scalars") or {}
    device = torch.device(options.get("device", "cpu"))
    autocast = options.get("precision", "fp32") == "bf16"
    tensors = {name: value.to(device) for name, value in tensors.items()}
    model = Model(Config(manifest["config"])).to(device)
    parameters = model.polyglot_parameters()
    expected = set(parameters)
    given = {n for n in tensors if n not in ("input_ids", "targets")}
    if expected != given:
        raise ValueError(f"parameter names differ: missing {sorted(expected - given)}, unexpected {sorted(given - expected)}")
    with torch.no_grad():
        for name, parameter in parameters.items():
            if tuple(parameter.shape) != tuple(tensors[name].shape):
                raise ValueError(f"{name}: shape {tuple(tensors[name].shape)}, the reference expects {tuple(parameter.shape)}")
            parameter.copy_(tensors[name])
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=autocast):
        loss, logits = model.loss(tensors["input_ids"], tensors["targets"])
    loss.backward()
    out = {"logits": logits}
    for name, parameter in parameters.items():
        out["grad." + name] = parameter.grad
    write_tensors(output_dir, out, {"loss": loss.item()})


def bench(config_path):
    with open(config_path) as f:
        spec = json.load(f)
    cfg = Config(spec["config"])
    if "threads" in spec:
        torch.set_num_threads(int(spec["threads"]))
    device = torch.device(spec.get("device", "cpu"))
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[spec.get("dtype", "float32")]
    torch.manual_seed(1234)
    # PyTorch 2.x initialises the parameters on the device itself (a billion CPU random numbers take
    # seconds); 1.13 has no device context and builds on the CPU first.
    placement = device if hasattr(torch.device(device), "__enter__") else contextlib.nullcontext()
    with placement:
        model = Model(cfg, fused=True).to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    # The fastest AdamW PyTorch offers on the device, as the shim takes it: the fused kernel on CUDA
    # and, from PyTorch 2.4, on the CPU; multi-tensor before that.
    kernel = {"fused": True} if device.type == "cuda" or TORCH_VERSION >= (2, 4) else {"foreach": True}
    optimizer = torch.optim.AdamW(groups, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, **kernel)
    B, T = int(spec["batch"]), int(spec["seq_len"])
    steps, warmup = int(spec["steps"]), int(spec.get("warmup", 2))
    accumulation = int(spec.get("accumulation", 1))

    def step():
        for _ in range(accumulation):
            tokens = torch.randint(0, cfg.vocab_size, (B, T + 1), device=device)
            # Only the loss is kept: holding the logits through backward would cost B x T x V more memory.
            if dtype == torch.float32:
                loss = model.loss(tokens[:, :-1], tokens[:, 1:])[0]
            else:
                with torch.autocast(device_type=device.type, dtype=dtype):
                    loss = model.loss(tokens[:, :-1], tokens[:, 1:])[0]
            (loss / accumulation).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(warmup):
        step()
    samples = []
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(steps):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_SELF)
    seconds = sorted(samples)[len(samples) // 2]  # median step
    # What a step cost the machine: fresh pages the kernel mapped and zeroed, and CPU time by mode.
    print(json.dumps({"step_seconds": seconds, "tokens_per_second": B * T * accumulation / seconds,
                      "minor_faults_per_step": (after.ru_minflt - before.ru_minflt) / steps,
                      "kernel_seconds_per_step": (after.ru_stime - before.ru_stime) / steps,
                      "user_seconds_per_step": (after.ru_utime - before.ru_utime) / steps,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


def main(argv):
    if len(argv) >= 4 and len(argv) % 2 == 0 and argv[1] == "grads":
        for input_dir, output_dir in zip(argv[2::2], argv[3::2]):
            grads(input_dir, output_dir)
    elif len(argv) == 3 and argv[1] == "bench":
        bench(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
