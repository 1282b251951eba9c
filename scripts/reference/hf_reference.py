#!/usr/bin/env python3
"""Independent PyTorch implementation of the Hugging Face GPT2LMHeadModel and LlamaForCausalLM
forward passes, loading an exported Hugging Face folder (config.json + safetensors with Hugging
Face parameter names) and printing next-token log-probabilities as JSON.

The math follows transformers' modeling_gpt2.py (Conv1D: x @ W + b with W stored (in, out);
c_attn fuses q, k, v) and modeling_llama.py (RMSNorm in float32, rotate_half rotary with the
frequencies repeated over both halves, repeat_kv for grouped-query attention). safetensors files
are parsed with json + struct (the format: 8-byte little-endian header length, JSON header,
data), since neither `safetensors` nor `transformers` is installed here.

Usage: hf_reference.py --model DIR --ids '[[1, 2, 3], [4, 5]]'
Prints {"log_probs": [sequence][position][vocab]} (float32 log-softmax of the logits).
"""
import argparse
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
          "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    base = 8 + header_len
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[entry["dtype"]])
        tensors[name] = t.reshape(entry["shape"]).to(torch.float32)
    return tensors


def read_weights(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        tensors = {}
        for shard in sorted(set(weight_map.values())):
            tensors.update(read_safetensors(os.path.join(folder, shard)))
        missing = set(weight_map) - set(tensors)
        if missing:
            raise SystemExit(f"index names tensors missing from the shards: {sorted(missing)[:5]}")
        return tensors
    return read_safetensors(os.path.join(folder, "model.safetensors"))


def causal_attention(q, k, v):
    # q, k, v: (B, H, T, D)
    T, D = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-1, -2) / math.sqrt(D)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def gpt2_logits(cfg, w, ids):
    B, T = ids.shape
    d, H = cfg["n_embd"], cfg["n_head"]
    D = d // H
    eps = cfg["layer_norm_epsilon"]
    act = {"gelu": lambda x: F.gelu(x), "gelu_new": lambda x: F.gelu(x, approximate="tanh")}[cfg["activation_function"]]
    h = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:T]
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        a = F.layer_norm(h, (d,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(d, dim=-1)
        q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v))
        y = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, d)
        h = h + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = F.layer_norm(h, (d,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = act(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        h = h + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    h = F.layer_norm(h, (d,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    head = w["transformer.wte.weight"] if cfg.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return h @ head.T


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def llama_logits(cfg, w, ids):
    B, T = ids.shape
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads", H)
    D = cfg.get("head_dim", d // H)
    eps = cfg["rms_norm_eps"]
    inv_freq = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    freqs = torch.outer(torch.arange(T, dtype=torch.float32), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()  # (T, D)
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).view(B, T, H, D).transpose(1, 2)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).view(B, T, KV, D).transpose(1, 2)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).view(B, T, KV, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = H // KV
        k = k[:, :, None].expand(B, KV, rep, T, D).reshape(B, H, T, D)
        v = v[:, :, None].expand(B, KV, rep, T, D).reshape(B, H, T, D)
        y = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, H * D)
        h = h + y @ w[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = F.silu(x @ w[p + "mlp.gate_proj.weight"].T)
        h = h + (gate * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return h @ head.T


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="exported Hugging Face folder")
    parser.add_argument("--ids", required=True, help="JSON list of token id lists")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    with open(os.path.join(args.model, "config.json")) as f:
        cfg = json.load(f)
    weights = read_weights(args.model)
    forward = {"GPT2LMHeadModel": gpt2_logits, "LlamaForCausalLM": llama_logits}[cfg["architectures"][0]]
    out = []
    for seq in json.loads(args.ids):
        ids = torch.tensor([seq], dtype=torch.int64)
        out.append(torch.log_softmax(forward(cfg, weights, ids)[0], dim=-1).tolist())
    print(json.dumps({"architecture": cfg["architectures"][0], "log_probs": out}))


if __name__ == "__main__":
    main()
