#!/usr/bin/python3
"""Greedy decoding of a llama2.c checkpoint, a Python/torch port of llama2.c `run.c` forward semantics.

Semantics (read from karpathy/llama2.c run.c; format in ../shared/models/stories260K/SOURCE.md):
  * header: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len);
    vocab_size > 0 means the classifier is the token embedding, < 0 means a separate classifier follows.
  * weights (float32) in order: token_embedding [V, dim], rms_att [L, dim], wq [L, dim, dim],
    wk [L, kv_dim, dim], wv [L, kv_dim, dim], wo [L, dim, dim], rms_ffn [L, dim], w1 [L, hidden, dim],
    w2 [L, dim, hidden], w3 [L, hidden, dim], rms_final [dim], freq_cis_real and freq_cis_imag
    [seq_len, head_size/2] each (skipped: run.c recomputes RoPE), then the classifier [V, dim] if unshared.
  * per token: x = embedding[token]; per layer:
      xb = rmsnorm(x) (eps 1e-5 inside the sqrt, weight * (x / sqrt(mean(x^2) + eps)));
      q = wq xb, k = wk xb, v = wv xb;
      RoPE on INTERLEAVED pairs (i, i+1) for even i: head_dim = i % head_size,
      freq = 1 / 10000^(head_dim / head_size), angle = pos * freq (float32), rotate by (cos, sin);
      keys/values cached per position; query head h attends with kv head h // (n_heads / n_kv_heads),
      scores q.k / sqrt(head_size) over positions 0..pos, softmax, weighted sum of values;
      x += wo attn; xb = rmsnorm(x); x += w2 (silu(w1 xb) * (w3 xb)).
    logits = classifier @ rmsnorm_final(x).
  * generation: feed token 1 (BOS) at position 0, then argmax; run.c stops when the argmax is 1 (BOS,
    which delimits stories) and does not print it.

Usage: /usr/bin/python3 tools/reference/llama2c_greedy.py [CHECKPOINT] [--max-new-tokens N] [--out FILE]
                                                           [--dtype float32|float64] [--print-ids]
"""
import argparse
import hashlib
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CKPT = os.path.join(os.path.dirname(REPO), "shared", "models", "stories260K", "stories260K.bin")
DEFAULT_OUT = os.path.join(REPO, "src", "test", "resources", "reference", "stories260K_greedy.json")
BOS = 1


def load(path, dtype):
    with open(path, "rb") as f:
        data = f.read()
    dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len = struct.unpack("<7i", data[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    head_size = dim // n_heads
    kv_dim = n_kv_heads * head_size
    floats = torch.frombuffer(bytearray(data[28:]), dtype=torch.float32)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = math.prod(shape)
        t = floats[pos:pos + n].reshape(shape).to(dtype)
        pos += n
        return t

    w = {"emb": take(vocab, dim), "rms_att": take(n_layers, dim), "wq": take(n_layers, dim, dim),
         "wk": take(n_layers, kv_dim, dim), "wv": take(n_layers, kv_dim, dim), "wo": take(n_layers, dim, dim),
         "rms_ffn": take(n_layers, dim), "w1": take(n_layers, hidden, dim), "w2": take(n_layers, dim, hidden),
         "w3": take(n_layers, hidden, dim), "rms_final": take(dim)}
    take(seq_len, head_size // 2)  # freq_cis_real (unused)
    take(seq_len, head_size // 2)  # freq_cis_imag (unused)
    w["wcls"] = w["emb"] if shared else take(vocab, dim)
    if pos != floats.numel():
        sys.exit(f"{path}: {floats.numel() - pos} trailing floats; header does not match the file")
    cfg = dict(dim=dim, hidden_dim=hidden, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads,
               vocab_size=vocab, seq_len=seq_len, shared_classifier=shared)
    return cfg, w


def rmsnorm(x, weight):
    return weight * (x / torch.sqrt((x * x).mean() + 1e-5))


class Llama2c:
    def __init__(self, cfg, w, dtype):
        self.c, self.w, self.dtype = cfg, w, dtype
        hs = cfg["dim"] // cfg["n_heads"]
        self.head_size = hs
        kv_dim = cfg["n_kv_heads"] * hs
        L, T = cfg["n_layers"], cfg["seq_len"]
        self.k_cache = torch.zeros(L, T, kv_dim, dtype=dtype)
        self.v_cache = torch.zeros(L, T, kv_dim, dtype=dtype)
        # RoPE as run.c computes it: for even i in a head, freq = 1 / 10000^(i / head_size) in float32
        i = torch.arange(0, hs, 2, dtype=torch.float32)
        self.freq = (1.0 / torch.pow(torch.tensor(10000.0, dtype=torch.float32), i / float(hs)))

    def rope(self, vec, pos, n_heads):
        angle = (float(pos) * self.freq).to(torch.float32)  # float32 like `float val = pos * freq`
        cos, sin = torch.cos(angle).to(self.dtype), torch.sin(angle).to(self.dtype)
        v = vec.view(n_heads, self.head_size // 2, 2)
        v0, v1 = v[..., 0], v[..., 1]
        return torch.stack((v0 * cos - v1 * sin, v0 * sin + v1 * cos), dim=-1).reshape(-1)

    def forward(self, token, pos):
        c, w, hs = self.c, self.w, self.head_size
        H, KV = c["n_heads"], c["n_kv_heads"]
        group = H // KV
        x = w["emb"][token].clone()
        for l in range(c["n_layers"]):
            xb = rmsnorm(x, w["rms_att"][l])
            q = self.rope(w["wq"][l] @ xb, pos, H)
            k = self.rope(w["wk"][l] @ xb, pos, KV)
            self.k_cache[l, pos] = k
            self.v_cache[l, pos] = w["wv"][l] @ xb
            keys = self.k_cache[l, :pos + 1].view(pos + 1, KV, hs)
            vals = self.v_cache[l, :pos + 1].view(pos + 1, KV, hs)
            out = torch.empty(H, hs, dtype=self.dtype)
            for h in range(H):
                qh = q[h * hs:(h + 1) * hs]
                kh, vh = keys[:, h // group], vals[:, h // group]
                att = torch.softmax((kh @ qh) / math.sqrt(hs), dim=0)
                out[h] = att @ vh
            x = x + w["wo"][l] @ out.reshape(-1)
            xb = rmsnorm(x, w["rms_ffn"][l])
            h1 = w["w1"][l] @ xb
            x = x + w["w2"][l] @ (h1 * torch.sigmoid(h1) * (w["w3"][l] @ xb))
        return w["wcls"] @ rmsnorm(x, w["rms_final"])


def greedy(path, max_new, dtype):
    cfg, w = load(path, dtype)
    model = Llama2c(cfg, w, dtype)
    token, ids, margins, stopped, first = BOS, [], [], False, None
    with torch.no_grad():
        for pos in range(min(max_new, cfg["seq_len"])):
            logits = model.forward(token, pos)
            if first is None:
                first = logits.float().tolist()
            top = torch.topk(logits, 2)
            nxt = int(torch.argmax(logits))  # first maximal index, like run.c's argmax
            margins.append(float(top.values[0] - top.values[1]))
            if nxt == BOS:
                stopped = True
                break
            ids.append(nxt)
            token = nxt
    return cfg, ids, margins, stopped, first


def c_port_ids(path, max_new):
    """Compile tools/reference/run_c_port.c (an independent C port) with gcc and return its ids."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_c_port.c")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "run_c_port")
        subprocess.run(["gcc", "-O2", "-o", exe, src, "-lm"], check=True)
        out = subprocess.run([exe, path, str(max_new)], check=True, capture_output=True, text=True).stdout
    return [int(t) for t in out.split()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint", nargs="?", default=DEFAULT_CKPT)
    ap.add_argument("--max-new-tokens", type=int, default=80)
    ap.add_argument("--out", default=None, help=f"write the JSON fixture here (e.g. {DEFAULT_OUT})")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--print-ids", action="store_true", help="print only the generated ids, space-separated")
    a = ap.parse_args()
    torch.set_num_threads(1)
    dtype = getattr(torch, a.dtype)
    cfg, ids, margins, stopped, first = greedy(a.checkpoint, a.max_new_tokens, dtype)
    if a.print_ids:
        print(" ".join(map(str, ids)))
        return
    print(f"config {cfg}")
    print(f"generated {len(ids)} ids (stopped at BOS: {stopped}); smallest top1-top2 logit margin "
          f"{min(margins):.4g} at step {margins.index(min(margins))}")
    print(" ".join(map(str, ids)))
    if a.out:
        c_ids = c_port_ids(a.checkpoint, a.max_new_tokens)
        if c_ids != ids:
            sys.exit(f"C port disagrees: {c_ids}")
        print("tools/reference/run_c_port.c (gcc -O2, plain float loops) agrees token for token")
        out = {
            "prompt_ids": [BOS],
            "max_new_tokens": a.max_new_tokens,
            "generated_ids": ids,
            "stopped_at_bos": stopped,
            "min_top2_logit_margin": float(f"{min(margins):.4g}"),
            "checkpoint": os.path.basename(a.checkpoint),
            "checkpoint_sha256": hashlib.sha256(open(a.checkpoint, "rb").read()).hexdigest(),
            "logits_after_bos": [float(f"{v:.9g}") for v in first],
            "how": (f"made by tools/reference/llama2c_greedy.py with torch {torch.__version__} ({a.dtype}): "
                    "a port of llama2.c run.c forward semantics (rmsnorm eps 1e-5, interleaved-pair RoPE theta "
                    "10000, GQA kv head h // (n_heads / n_kv_heads), SwiGLU, shared classifier); token 1 (BOS) fed "
                    "at position 0, then argmax for max_new_tokens steps, stopping early (and not emitting it) if "
                    "the argmax is BOS, as run.c does; cross-checked token for token by tools/reference/run_c_port.c"),
            "cross_check": "tools/reference/run_c_port.c (independent C port, gcc -O2) gave identical ids",
        }
        with open(a.out, "w") as f:
            # one key per line, lists kept on one line
            f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}\n")
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
