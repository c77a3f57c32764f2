#!/usr/bin/python3
"""Reference fixtures for cpi's transformer families, computed independently in plain PyTorch.

For each family (gpt2, gpt_neox, llama, mistral) this script makes a TINY random model, writes it as a
Hugging Face model directory (config.json + model.safetensors with the real HF tensor names and layouts),
runs its own forward pass on a fixed batch and writes the expected logits. The Java implementation is
tested against these numbers; nothing here reads or imports any cpi code.

Semantics mirrored from Hugging Face `transformers` modeling code (read, not imported):
  gpt2      learned positions; LayerNorm; Conv1D weights stored [in, out] (y = x @ W + b); c_attn fused
            along the output axis as [q | k | v]; gelu_new (tanh approximation); scores / sqrt(head_dim);
            lm_head tied to wte.
  gpt_neox  LayerNorm; query_key_value fused PER HEAD: output viewed as [heads, 3 * head_dim] and split
            into q, k, v inside each head; rotary on the first int(head_dim * rotary_pct) dims of each head
            with rotate_half (pairs (i, i + r/2)), inv_freq = 1 / base^(arange(0, r, 2) / r); exact (erf)
            GELU for hidden_act "gelu"; parallel residual x + attn(ln1(x)) + mlp(ln2(x)); untied embed_out.
  llama     RMSNorm x * rsqrt(mean(x^2) + eps) * w; RoPE with rotate_half over the whole head_dim, base
            rope_theta; grouped-query attention (query head h uses kv head h // (heads / kv_heads));
            SwiGLU down(silu(gate(x)) * up(x)); untied lm_head; no biases.
  mistral   as llama plus sliding_window (keys with q_pos - k_pos >= sliding_window are masked; the
            window here is larger than the sequence, so it masks nothing).

Run it with Debian's python (see tools/reference/setup.sh):  /usr/bin/python3 tools/reference/make_fixtures.py
It rewrites src/test/resources/reference/<family>/ deterministically (same bytes every run).
"""
import json
import math
import os
import struct
import sys

import torch

SEED = 1234
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "src", "test", "resources", "reference")
BATCH, SEQ = 2, 7

# ---------------------------------------------------------------------------------------------------
# safetensors writer/reader (format: u64 little-endian header length, JSON header, raw little-endian data)

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the same 2-byte patterns as int16 (x86 is little-endian)
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # pad with spaces so the data starts 8-byte aligned, as HF does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = bytearray(data[base + a: base + b])
        if info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(raw, dtype={"F32": torch.float32, "F16": torch.float16}[info["dtype"]])
        out[name] = t.reshape(info["shape"])
    return out


# ---------------------------------------------------------------------------------------------------
# random parameters: scaled so activations are O(1) and logits are well spread (not the 0.02 init, which
# would make every family's logits nearly uniform and the comparison weak)

class Rand:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, std=1.0, mean=0.0):
        return torch.randn(*shape, generator=self.g, dtype=torch.float64).mul(std).add(mean).float()

    def linear(self, out_f, in_f):  # nn.Linear layout [out, in]
        return self.normal(out_f, in_f, std=1.0 / math.sqrt(in_f))

    def bias(self, n):
        return self.normal(n, std=0.1)

    def norm_weight(self, n):
        return self.normal(n, std=0.1, mean=1.0)

    def ids(self, vocab):
        return torch.randint(0, vocab, (BATCH, SEQ), generator=self.g)


# ---------------------------------------------------------------------------------------------------
# building blocks shared by the forward passes (all written out here; no HF code is imported)

def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_exact(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def silu(x):
    return x / (1.0 + torch.exp(-x))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(rot_dims, base, seq, dtype):
    inv_freq = 1.0 / (base ** (torch.arange(0, rot_dims, 2, dtype=torch.int64).to(dtype) / rot_dims))
    freqs = torch.outer(torch.arange(seq, dtype=dtype), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, rot_dims]: angle for dim i and i + rot_dims/2 is the same
    return emb.cos(), emb.sin()


def attention(q, k, v, sliding_window=None):
    """q: [B, H, T, D]; k, v: [B, H, T, D] (kv already expanded to H heads). Causal softmax attention."""
    T, D = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-1, -2) / math.sqrt(D)
    i = torch.arange(T).unsqueeze(1)
    j = torch.arange(T).unsqueeze(0)
    allowed = j <= i
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def heads(x, n):  # [B, T, n*D] -> [B, n, T, D]
    B, T, C = x.shape
    return x.view(B, T, n, C // n).transpose(1, 2)


def merge(x):  # [B, H, T, D] -> [B, T, H*D]
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)


# ---------------------------------------------------------------------------------------------------
# gpt2

def make_gpt2(r):
    cfg = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "vocab_size": 96, "n_positions": 64, "n_ctx": 64, "n_embd": 32, "n_layer": 2, "n_head": 4,
        "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
        "tie_word_embeddings": True, "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False, "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
        "initializer_range": 0.02, "bos_token_id": 0, "eos_token_id": 0, "use_cache": True,
        "torch_dtype": "float32",
    }
    C, V, P, L = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], cfg["n_layer"]
    inner = 4 * C
    p = {"wte": r.normal(V, C, std=0.5), "wpe": r.normal(P, C, std=0.3)}
    for l in range(L):
        p[f"{l}.ln1.w"], p[f"{l}.ln1.b"] = r.norm_weight(C), r.bias(C)
        for n in "qkv":
            p[f"{l}.{n}.w"], p[f"{l}.{n}.b"] = r.linear(C, C), r.bias(C)
        p[f"{l}.o.w"], p[f"{l}.o.b"] = r.linear(C, C), r.bias(C)
        p[f"{l}.ln2.w"], p[f"{l}.ln2.b"] = r.norm_weight(C), r.bias(C)
        p[f"{l}.fc.w"], p[f"{l}.fc.b"] = r.linear(inner, C), r.bias(inner)
        p[f"{l}.proj.w"], p[f"{l}.proj.b"] = r.linear(C, inner), r.bias(C)
    p["lnf.w"], p["lnf.b"] = r.norm_weight(C), r.bias(C)
    return cfg, p


def gpt2_hf_tensors(cfg, p, prefix):
    """HF GPT-2 names; Conv1D weights are [in, out] = the transpose of nn.Linear's [out, in]."""
    t = {f"{prefix}wte.weight": p["wte"], f"{prefix}wpe.weight": p["wpe"],
         f"{prefix}ln_f.weight": p["lnf.w"], f"{prefix}ln_f.bias": p["lnf.b"]}
    for l in range(cfg["n_layer"]):
        h = f"{prefix}h.{l}."
        t[h + "ln_1.weight"], t[h + "ln_1.bias"] = p[f"{l}.ln1.w"], p[f"{l}.ln1.b"]
        t[h + "attn.c_attn.weight"] = torch.cat([p[f"{l}.q.w"], p[f"{l}.k.w"], p[f"{l}.v.w"]], 0).t().contiguous()
        t[h + "attn.c_attn.bias"] = torch.cat([p[f"{l}.q.b"], p[f"{l}.k.b"], p[f"{l}.v.b"]], 0)
        t[h + "attn.c_proj.weight"], t[h + "attn.c_proj.bias"] = p[f"{l}.o.w"].t().contiguous(), p[f"{l}.o.b"]
        t[h + "ln_2.weight"], t[h + "ln_2.bias"] = p[f"{l}.ln2.w"], p[f"{l}.ln2.b"]
        t[h + "mlp.c_fc.weight"], t[h + "mlp.c_fc.bias"] = p[f"{l}.fc.w"].t().contiguous(), p[f"{l}.fc.b"]
        t[h + "mlp.c_proj.weight"], t[h + "mlp.c_proj.bias"] = p[f"{l}.proj.w"].t().contiguous(), p[f"{l}.proj.b"]
    return t


def gpt2_params_from_hf(cfg, t, prefix):
    """Inverse of gpt2_hf_tensors, done the HF way (split the Conv1D output axis into q | k | v)."""
    C = cfg["n_embd"]
    p = {"wte": t[f"{prefix}wte.weight"], "wpe": t[f"{prefix}wpe.weight"],
         "lnf.w": t[f"{prefix}ln_f.weight"], "lnf.b": t[f"{prefix}ln_f.bias"]}
    for l in range(cfg["n_layer"]):
        h = f"{prefix}h.{l}."
        p[f"{l}.ln1.w"], p[f"{l}.ln1.b"] = t[h + "ln_1.weight"], t[h + "ln_1.bias"]
        w, b = t[h + "attn.c_attn.weight"], t[h + "attn.c_attn.bias"]
        for i, n in enumerate("qkv"):
            p[f"{l}.{n}.w"], p[f"{l}.{n}.b"] = w[:, i * C:(i + 1) * C].t(), b[i * C:(i + 1) * C]
        p[f"{l}.o.w"], p[f"{l}.o.b"] = t[h + "attn.c_proj.weight"].t(), t[h + "attn.c_proj.bias"]
        p[f"{l}.ln2.w"], p[f"{l}.ln2.b"] = t[h + "ln_2.weight"], t[h + "ln_2.bias"]
        p[f"{l}.fc.w"], p[f"{l}.fc.b"] = t[h + "mlp.c_fc.weight"].t(), t[h + "mlp.c_fc.bias"]
        p[f"{l}.proj.w"], p[f"{l}.proj.b"] = t[h + "mlp.c_proj.weight"].t(), t[h + "mlp.c_proj.bias"]
    return p


def gpt2_forward(cfg, p, ids):
    H, eps = cfg["n_head"], cfg["layer_norm_epsilon"]
    T = ids.shape[1]
    x = p["wte"][ids] + p["wpe"][torch.arange(T)]
    for l in range(cfg["n_layer"]):
        a = layer_norm(x, p[f"{l}.ln1.w"], p[f"{l}.ln1.b"], eps)
        q, k, v = (heads(a @ p[f"{l}.{n}.w"].t() + p[f"{l}.{n}.b"], H) for n in "qkv")
        x = x + merge(attention(q, k, v)) @ p[f"{l}.o.w"].t() + p[f"{l}.o.b"]
        m = layer_norm(x, p[f"{l}.ln2.w"], p[f"{l}.ln2.b"], eps)
        m = gelu_new(m @ p[f"{l}.fc.w"].t() + p[f"{l}.fc.b"])
        x = x + m @ p[f"{l}.proj.w"].t() + p[f"{l}.proj.b"]
    x = layer_norm(x, p["lnf.w"], p["lnf.b"], eps)
    return x @ p["wte"].t()  # tied lm_head


# ---------------------------------------------------------------------------------------------------
# gpt_neox (Pythia)

def make_neox(r):
    # head_dim 16 so that rotary_pct 0.25 rotates 4 dims: with only 2 rotary dims rotate_half and
    # interleaved pairs would coincide and the fixture could not tell them apart.
    cfg = {
        "architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox",
        "vocab_size": 96, "hidden_size": 48, "num_attention_heads": 3, "num_hidden_layers": 2,
        "intermediate_size": 64, "rotary_pct": 0.25, "rotary_emb_base": 10000,
        "use_parallel_residual": True, "layer_norm_eps": 1e-5, "hidden_act": "gelu",
        "tie_word_embeddings": False, "max_position_embeddings": 64, "attention_bias": True,
        "rope_scaling": None, "hidden_dropout": 0.0, "attention_dropout": 0.0, "initializer_range": 0.02,
        "bos_token_id": 0, "eos_token_id": 0, "use_cache": True, "torch_dtype": "float32",
    }
    C, V, L, I = cfg["hidden_size"], cfg["vocab_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    p = {"embed_in": r.normal(V, C, std=0.5)}
    for l in range(L):
        p[f"{l}.ln1.w"], p[f"{l}.ln1.b"] = r.norm_weight(C), r.bias(C)
        p[f"{l}.ln2.w"], p[f"{l}.ln2.b"] = r.norm_weight(C), r.bias(C)
        for n in "qkv":
            p[f"{l}.{n}.w"], p[f"{l}.{n}.b"] = r.linear(C, C), r.bias(C)
        p[f"{l}.o.w"], p[f"{l}.o.b"] = r.linear(C, C), r.bias(C)
        p[f"{l}.up.w"], p[f"{l}.up.b"] = r.linear(I, C), r.bias(I)
        p[f"{l}.down.w"], p[f"{l}.down.b"] = r.linear(C, I), r.bias(C)
    p["lnf.w"], p["lnf.b"] = r.norm_weight(C), r.bias(C)
    p["embed_out"] = r.linear(V, C)
    return cfg, p


def neox_fuse(cfg, q, k, v):
    """Rows of query_key_value: for each head h, its q rows, then its k rows, then its v rows."""
    H = cfg["num_attention_heads"]
    D = cfg["hidden_size"] // H
    parts = [torch.stack([x.reshape(H, D, *x.shape[1:])[h] for x in (q, k, v)]) for h in range(H)]
    return torch.stack(parts).reshape(3 * H * D, *q.shape[1:]).contiguous()


def neox_hf_tensors(cfg, p):
    t = {"gpt_neox.embed_in.weight": p["embed_in"], "embed_out.weight": p["embed_out"],
         "gpt_neox.final_layer_norm.weight": p["lnf.w"], "gpt_neox.final_layer_norm.bias": p["lnf.b"]}
    for l in range(cfg["num_hidden_layers"]):
        h = f"gpt_neox.layers.{l}."
        t[h + "input_layernorm.weight"], t[h + "input_layernorm.bias"] = p[f"{l}.ln1.w"], p[f"{l}.ln1.b"]
        t[h + "post_attention_layernorm.weight"] = p[f"{l}.ln2.w"]
        t[h + "post_attention_layernorm.bias"] = p[f"{l}.ln2.b"]
        t[h + "attention.query_key_value.weight"] = neox_fuse(cfg, p[f"{l}.q.w"], p[f"{l}.k.w"], p[f"{l}.v.w"])
        t[h + "attention.query_key_value.bias"] = neox_fuse(cfg, p[f"{l}.q.b"], p[f"{l}.k.b"], p[f"{l}.v.b"])
        t[h + "attention.dense.weight"], t[h + "attention.dense.bias"] = p[f"{l}.o.w"], p[f"{l}.o.b"]
        t[h + "mlp.dense_h_to_4h.weight"], t[h + "mlp.dense_h_to_4h.bias"] = p[f"{l}.up.w"], p[f"{l}.up.b"]
        t[h + "mlp.dense_4h_to_h.weight"], t[h + "mlp.dense_4h_to_h.bias"] = p[f"{l}.down.w"], p[f"{l}.down.b"]
    return t


def neox_check_split(cfg, t, p):
    """Split the fused weight the way HF's GPTNeoXAttention does (view the projected output as
    [heads, 3 * head_dim], take [:D], [D:2D], [2D:]) and check it gives back our separate q, k, v."""
    H = cfg["num_attention_heads"]
    D = cfg["hidden_size"] // H
    x = torch.randn(5, cfg["hidden_size"], generator=torch.Generator().manual_seed(0))
    for l in range(cfg["num_hidden_layers"]):
        h = f"gpt_neox.layers.{l}.attention.query_key_value."
        qkv = (x @ t[h + "weight"].t() + t[h + "bias"]).view(5, H, 3 * D)
        for i, n in enumerate("qkv"):
            ours = (x @ p[f"{l}.{n}.w"].t() + p[f"{l}.{n}.b"]).view(5, H, D)
            assert torch.equal(qkv[..., i * D:(i + 1) * D], ours), f"neox fused layout wrong for {n}"


def neox_forward(cfg, p, ids):
    H, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
    D = cfg["hidden_size"] // H
    R = int(D * cfg["rotary_pct"])
    T = ids.shape[1]
    cos, sin = rope_cos_sin(R, float(cfg["rotary_emb_base"]), T, torch.float32)

    def rope(x):  # rotate the first R dims of each head (rotate_half within those R dims), pass the rest
        xr, xp = x[..., :R], x[..., R:]
        return torch.cat((xr * cos + rotate_half(xr) * sin, xp), dim=-1)

    x = p["embed_in"][ids]
    for l in range(cfg["num_hidden_layers"]):
        a = layer_norm(x, p[f"{l}.ln1.w"], p[f"{l}.ln1.b"], eps)
        q, k, v = (heads(a @ p[f"{l}.{n}.w"].t() + p[f"{l}.{n}.b"], H) for n in "qkv")
        attn = merge(attention(rope(q), rope(k), v)) @ p[f"{l}.o.w"].t() + p[f"{l}.o.b"]
        m = layer_norm(x, p[f"{l}.ln2.w"], p[f"{l}.ln2.b"], eps)
        mlp = gelu_exact(m @ p[f"{l}.up.w"].t() + p[f"{l}.up.b"]) @ p[f"{l}.down.w"].t() + p[f"{l}.down.b"]
        x = x + attn + mlp  # parallel residual: both branches read the same x
    x = layer_norm(x, p["lnf.w"], p["lnf.b"], eps)
    return x @ p["embed_out"].t()


# ---------------------------------------------------------------------------------------------------
# llama / mistral

def make_llama(r, model_type):
    if model_type == "llama":
        cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama",
               "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-6,
               "rope_theta": 500000.0, "pretraining_tp": 1, "mlp_bias": False}
    else:
        cfg = {"architectures": ["MistralForCausalLM"], "model_type": "mistral",
               "num_attention_heads": 4, "num_key_value_heads": 1, "rms_norm_eps": 1e-5,
               "rope_theta": 1000000.0, "sliding_window": 32}
    cfg.update({"vocab_size": 96, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                "hidden_act": "silu", "max_position_embeddings": 64, "tie_word_embeddings": False,
                "attention_bias": False, "attention_dropout": 0.0, "rope_scaling": None,
                "initializer_range": 0.02, "bos_token_id": 1, "eos_token_id": 2, "use_cache": True,
                "torch_dtype": "float32"})
    C, V, L, I = cfg["hidden_size"], cfg["vocab_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = C // H
    p = {"embed": r.normal(V, C, std=0.5)}
    for l in range(L):
        p[f"{l}.ln1.w"] = r.norm_weight(C)
        p[f"{l}.q.w"], p[f"{l}.k.w"], p[f"{l}.v.w"] = r.linear(H * D, C), r.linear(KV * D, C), r.linear(KV * D, C)
        p[f"{l}.o.w"] = r.linear(C, H * D)
        p[f"{l}.ln2.w"] = r.norm_weight(C)
        p[f"{l}.gate.w"], p[f"{l}.up.w"], p[f"{l}.down.w"] = r.linear(I, C), r.linear(I, C), r.linear(C, I)
    p["norm.w"] = r.norm_weight(C)
    p["lm_head"] = r.linear(V, C)
    return cfg, p


def llama_hf_tensors(cfg, p):
    t = {"model.embed_tokens.weight": p["embed"], "model.norm.weight": p["norm.w"], "lm_head.weight": p["lm_head"]}
    for l in range(cfg["num_hidden_layers"]):
        h = f"model.layers.{l}."
        t[h + "input_layernorm.weight"] = p[f"{l}.ln1.w"]
        t[h + "post_attention_layernorm.weight"] = p[f"{l}.ln2.w"]
        for n in "qkvo":
            t[h + f"self_attn.{n}_proj.weight"] = p[f"{l}.{n}.w"]
        for n in ("gate", "up", "down"):
            t[h + f"mlp.{n}_proj.weight"] = p[f"{l}.{n}.w"]
    return t


def llama_params_from_hf(cfg, t):
    p = {"embed": t["model.embed_tokens.weight"], "norm.w": t["model.norm.weight"], "lm_head": t["lm_head.weight"]}
    for l in range(cfg["num_hidden_layers"]):
        h = f"model.layers.{l}."
        p[f"{l}.ln1.w"] = t[h + "input_layernorm.weight"]
        p[f"{l}.ln2.w"] = t[h + "post_attention_layernorm.weight"]
        for n in "qkvo":
            p[f"{l}.{n}.w"] = t[h + f"self_attn.{n}_proj.weight"]
        for n in ("gate", "up", "down"):
            p[f"{l}.{n}.w"] = t[h + f"mlp.{n}_proj.weight"]
    return p


def llama_forward(cfg, p, ids):
    H, KV, eps = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    D = cfg["hidden_size"] // H
    T = ids.shape[1]
    cos, sin = rope_cos_sin(D, float(cfg["rope_theta"]), T, torch.float32)
    window = cfg.get("sliding_window")
    kv_of_head = torch.arange(H) // (H // KV)  # query head h reads kv head h // group_size

    x = p["embed"][ids]
    for l in range(cfg["num_hidden_layers"]):
        a = rms_norm(x, p[f"{l}.ln1.w"], eps)
        q = heads(a @ p[f"{l}.q.w"].t(), H)
        k = heads(a @ p[f"{l}.k.w"].t(), KV)
        v = heads(a @ p[f"{l}.v.w"].t(), KV)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = k[:, kv_of_head], v[:, kv_of_head]
        x = x + merge(attention(q, k, v, window)) @ p[f"{l}.o.w"].t()
        m = rms_norm(x, p[f"{l}.ln2.w"], eps)
        x = x + (silu(m @ p[f"{l}.gate.w"].t()) * (m @ p[f"{l}.up.w"].t())) @ p[f"{l}.down.w"].t()
    x = rms_norm(x, p["norm.w"], eps)
    return x @ p["lm_head"].t()


# ---------------------------------------------------------------------------------------------------
# output

def fmt(v):
    return float(f"{v:.9g}")  # 9 significant digits round-trip any float32 exactly


def to_f32_params(p):
    return {k: v.float() for k, v in p.items()}


def write_fixture(name, cfg, tensors, forward, params_for_forward, ids, note):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    st = os.path.join(d, "model.safetensors")
    write_safetensors(st, tensors, {"format": "pt"})
    back = read_safetensors(st)  # the writer must round-trip bit for bit
    assert set(back) == set(tensors), name
    for k in tensors:
        assert back[k].dtype == tensors[k].dtype and torch.equal(back[k], tensors[k]), f"{name}: {k}"
    with open(os.path.join(d, "input_ids.json"), "w") as f:
        json.dump({"input_ids": ids.tolist()}, f)
        f.write("\n")

    with torch.no_grad():
        p32 = to_f32_params(params_for_forward)
        logits = forward(cfg, p32, ids)
        logits64 = forward(cfg, {k: v.double() for k, v in p32.items()}, ids)
    diff64 = (logits.double() - logits64).abs().max().item()
    how = (f"made by tools/reference/make_fixtures.py with torch {torch.__version__}, seed {SEED}: "
           f"an independent plain-torch forward pass (float32) mirroring HF '{cfg['model_type']}' semantics"
           f"{note} on input_ids.json")
    out = {"shape": list(logits.shape), "logits": [fmt(v) for v in logits.flatten().tolist()], "how": how,
           "max_abs_diff_vs_float64": float(f"{diff64:.3g}"),
           "logit_range": [fmt(logits.min().item()), fmt(logits.max().item())]}
    with open(os.path.join(d, "expected_logits.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
    assert size < 200_000, f"{name} is {size} bytes"
    print(f"{name:12s} {size:7d} bytes  logits {list(logits.shape)} range [{logits.min():.3f}, {logits.max():.3f}]"
          f"  f32-vs-f64 max diff {diff64:.2e}")
    return logits


def main():
    torch.set_num_threads(1)  # deterministic reduction order
    os.makedirs(OUT, exist_ok=True)
    r = Rand(SEED)

    cfg, p = make_gpt2(r)
    ids = r.ids(cfg["vocab_size"])
    t = gpt2_hf_tensors(cfg, p, "transformer.")  # as GPT2LMHeadModel.save_pretrained writes
    assert all(torch.equal(a, b) for a, b in zip(
        (gpt2_params_from_hf(cfg, t, "transformer.")[k] for k in sorted(p)), (p[k] for k in sorted(p))))
    write_fixture("gpt2", cfg, t, gpt2_forward, p, ids, "")
    # bf16 variant: the same weights rounded to bfloat16, names WITHOUT the "transformer." prefix (as in
    # the original openai-community/gpt2 file); expected logits come from the bf16 weights upcast to f32.
    cfg16 = dict(cfg, torch_dtype="bfloat16")
    t16 = {k.removeprefix("transformer."): v.to(torch.bfloat16) for k, v in t.items()}
    write_fixture("gpt2_bf16", cfg16, t16, gpt2_forward, gpt2_params_from_hf(cfg, t16, ""), ids,
                  " (bf16 weights upcast to f32, tensor names without the 'transformer.' prefix)")

    cfg, p = make_neox(r)
    ids = r.ids(cfg["vocab_size"])
    t = neox_hf_tensors(cfg, p)
    neox_check_split(cfg, t, p)
    write_fixture("gpt_neox", cfg, t, neox_forward, p, ids, "")

    cfg, p = make_llama(r, "llama")
    ids = r.ids(cfg["vocab_size"])
    t = llama_hf_tensors(cfg, p)
    write_fixture("llama", cfg, t, llama_forward, p, ids, "")
    cfg16 = dict(cfg, torch_dtype="float16")
    t16 = {k: v.to(torch.float16) for k, v in t.items()}
    write_fixture("llama_f16", cfg16, t16, llama_forward, llama_params_from_hf(cfg, t16), ids,
                  " (f16 weights upcast to f32)")

    cfg, p = make_llama(r, "mistral")
    ids = r.ids(cfg["vocab_size"])
    write_fixture("mistral", cfg, llama_hf_tensors(cfg, p), llama_forward, p, ids,
                  " (sliding_window larger than the sequence)")


if __name__ == "__main__":
    if sys.version_info < (3, 9):
        sys.exit("needs python >= 3.9")
    main()
