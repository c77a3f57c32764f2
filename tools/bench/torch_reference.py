#!/usr/bin/python3
"""The `cpi bench` figures measured in plain PyTorch eager (the baseline cpi is compared against).

Same shapes, batch sizes, sequence lengths and step counts as `cpi bench` (src/main/java/cpi/bench/):
  matmul_gflops                     float32 N x N @ N x N (N = 1024), best of several reps: the ceiling
  train_demo_tokens_per_s           forward + backward + AdamW, gpt2 shape: 3 layers, d 128, 4 heads,
                                    learned positions, tied embeddings, vocab 700, seq 64, batch 32
  train_pythia70m_tokens_per_s      same, gpt_neox shape: hidden 512, 6 layers, 8 heads, intermediate 2048,
                                    vocab 50304, rotary_pct 0.25, parallel residual, seq 256, batch 2
  prefill_pythia70m_tokens_per_s    one 512-token prompt through the pythia shape, filling the KV cache and
                                    computing next-token logits (LM head on the last position only)
  decode_pythia70m_b1_tokens_per_s  KV-cached greedy decoding, batch 1 (16-token prompt, 64 new tokens)
  decode_pythia70m_b8_tokens_per_s  same with batch 8 (tokens/s counts all rows)
  decode_demo_b1_tokens_per_s       KV-cached greedy decoding on the demo shape, batch 1

The models are written out here in plain torch the way Hugging Face's eager modeling code computes them
(fused qkv projection as in the HF layouts, softmax attention with an additive causal mask, a growing
KV cache concatenated per step). Weights are random (seed 0): speed does not depend on their values.

Usage: /usr/bin/python3 tools/bench/torch_reference.py [--json FILE] [--only NAME] [--quick]
Install torch with tools/reference/setup.sh (Debian python3-torch + OpenBLAS).
"""
import argparse
import json
import math
import os
import re
import statistics
import sys
import time


def _pin_blas_threads():
    """OpenBLAS (Debian's torch BLAS) keeps its own thread pool, sized from the environment when the
    library loads; torch.set_num_threads does not reach it. Without this, `--threads 1` ran every matmul on
    all cores (201 vs 102 GFLOP/s on the 2-core VM) while cpi used one, which made every matmul-bound
    ratio look like cpi's BLAS was half as fast. So the pool size is fixed before torch is imported."""
    pre = argparse.ArgumentParser(add_help=False)  # only --threads, read the way main() reads it
    pre.add_argument("--threads", type=int, default=os.cpu_count())
    n = str(pre.parse_known_args()[0].threads)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = n


_pin_blas_threads()

import torch  # noqa: E402 (after the BLAS pool is sized)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def blas_info():
    cfg = torch.__config__.show()
    info = dict(re.findall(r"(BLAS_INFO|LAPACK_INFO)=([^,\s]+)", cfg))
    a = torch.randn(64, 64)
    (a @ a).sum()
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if any(k in p for k in ("blas", "lapack", "mkl")):
                libs.add(os.path.realpath(p))
    return {"build": info.get("BLAS_INFO", "?"), "loaded": sorted(libs)}


# ---------------------------------------------------------------- models

class Attention(nn.Module):
    def __init__(self, d, heads, rotary_dims, bias=True):
        super().__init__()
        self.h, self.hd, self.rot = heads, d // heads, rotary_dims
        self.qkv = nn.Linear(d, 3 * d, bias=bias)
        self.out = nn.Linear(d, d, bias=bias)
        if rotary_dims:
            inv = 1.0 / (10000 ** (torch.arange(0, rotary_dims, 2).float() / rotary_dims))
            self.register_buffer("inv_freq", inv, persistent=False)

    def rope(self, x, pos):
        # rotate_half on the first `rot` dims of each head (GPT-NeoX partial rotary)
        ang = pos[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat([ang, ang], dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        xr, xp = x[..., :self.rot], x[..., self.rot:]
        x1, x2 = xr[..., : self.rot // 2], xr[..., self.rot // 2:]
        rotated = torch.cat([-x2, x1], dim=-1)
        return torch.cat([xr * cos + rotated * sin, xp], dim=-1)

    def forward(self, x, pos, cache):
        b, t, d = x.shape
        qkv = self.qkv(x).view(b, t, self.h, 3 * self.hd).permute(0, 2, 1, 3)
        q, k, v = qkv.split(self.hd, dim=-1)
        if self.rot:
            q, k = self.rope(q, pos), self.rope(k, pos)
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[0], cache[1] = k, v
        s = k.shape[2]
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd)
        causal = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, d, heads, inter, rotary_dims, parallel, gelu_tanh):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = Attention(d, heads, rotary_dims)
        self.fc1, self.fc2 = nn.Linear(d, inter), nn.Linear(inter, d)
        self.parallel, self.approx = parallel, "tanh" if gelu_tanh else "none"

    def mlp(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate=self.approx))

    def forward(self, x, pos, cache):
        if self.parallel:  # GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x)
            return x + self.attn(self.ln1(x), pos, cache) + self.mlp(self.ln2(x))
        x = x + self.attn(self.ln1(x), pos, cache)
        return x + self.mlp(self.ln2(x))


class LM(nn.Module):
    def __init__(self, vocab, d, layers, heads, inter, max_pos, family):
        super().__init__()
        neox = family == "gpt_neox"
        self.embed = nn.Embedding(vocab, d)
        self.pos = None if neox else nn.Embedding(max_pos, d)
        rot = (d // heads) // 4 if neox else 0
        self.blocks = nn.ModuleList(Block(d, heads, inter, rot, neox, not neox) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        if not neox:
            self.head.weight = self.embed.weight  # tied
        self.layers = layers

    def forward(self, ids, caches=None, past=0, last_only=False):
        t = ids.shape[1]
        pos = torch.arange(past, past + t)
        x = self.embed(ids)
        if self.pos is not None:
            x = x + self.pos(pos)[None]
        for i, blk in enumerate(self.blocks):
            x = blk(x, pos, None if caches is None else caches[i])
        x = self.ln_f(x)
        if last_only:
            x = x[:, -1:, :]
        return self.head(x)


SHAPES = {
    "demo": dict(vocab=700, d=128, layers=3, heads=4, inter=512, max_pos=128, family="gpt2"),
    "pythia70m": dict(vocab=50304, d=512, layers=6, heads=8, inter=2048, max_pos=2048, family="gpt_neox"),
}


def build(shape):
    torch.manual_seed(0)
    m = LM(**SHAPES[shape])
    for p in m.parameters():  # small weights, like a trained model's scale
        if p.dim() > 1:
            nn.init.normal_(p, std=0.02)
    return m


# ---------------------------------------------------------------- figures

def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def matmul_gflops(q):
    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    times = timed(lambda: a @ b, 2, 5 if q else 10)
    return 2 * n ** 3 / min(times) / 1e9


def train(shape, batch, seq, steps):
    m = build(shape)
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    v = SHAPES[shape]["vocab"]
    ids = torch.randint(0, v, (batch, seq + 1), generator=g)
    x, y = ids[:, :-1], ids[:, 1:]

    def step():
        logits = m(x)
        loss = F.cross_entropy(logits.reshape(-1, v), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    times = timed(step, 1, steps)
    return batch * seq / statistics.median(times)


@torch.no_grad()
def prefill(shape, length, reps):
    m = build(shape).eval()
    ids = torch.randint(0, SHAPES[shape]["vocab"], (1, length), generator=torch.Generator().manual_seed(2))

    def run():
        caches = [[None, None] for _ in range(m.layers)]
        m(ids, caches, 0, last_only=True)

    times = timed(run, 1, reps)
    return length / statistics.median(times)


@torch.no_grad()
def decode(shape, batch, prompt_len, new_tokens, reps):
    m = build(shape).eval()
    ids = torch.randint(0, SHAPES[shape]["vocab"], (batch, prompt_len), generator=torch.Generator().manual_seed(3))

    def run():
        caches = [[None, None] for _ in range(m.layers)]
        logits = m(ids, caches, 0, last_only=True)
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        t0 = time.perf_counter()
        for i in range(new_tokens):
            logits = m(nxt, caches, prompt_len + i)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
        return time.perf_counter() - t0

    run()
    times = [run() for _ in range(reps)]
    return batch * new_tokens / statistics.median(times)


def figures(quick):
    r = 1 if quick else 3
    return {
        "matmul_gflops": lambda: matmul_gflops(quick),
        "train_demo_tokens_per_s": lambda: train("demo", 32, 64, 3 if quick else 8),
        "train_pythia70m_tokens_per_s": lambda: train("pythia70m", 2, 256, 2 if quick else 3),
        "prefill_pythia70m_tokens_per_s": lambda: prefill("pythia70m", 512, r),
        "decode_pythia70m_b1_tokens_per_s": lambda: decode("pythia70m", 1, 16, 32 if quick else 64, r),
        "decode_pythia70m_b8_tokens_per_s": lambda: decode("pythia70m", 8, 16, 32 if quick else 64, r),
        "decode_demo_b1_tokens_per_s": lambda: decode("demo", 1, 16, 32 if quick else 64, r),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument("--only", action="append", help="run only this figure (repeatable)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    blas = blas_info()
    blas["threads_env"] = os.environ["OPENBLAS_NUM_THREADS"]
    out = {"engine": f"pytorch {torch.__version__} eager", "threads": torch.get_num_threads(), "blas": blas,
           "figures": {}}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (BLAS pool {blas['threads_env']}), BLAS build={blas['build']} "
          f"loaded={' '.join(blas['loaded']) or '(none)'}", file=sys.stderr)
    for name, fn in figures(a.quick).items():
        if a.only and name not in a.only:
            continue
        t0 = time.perf_counter()
        v = fn()
        out["figures"][name] = v
        print(f"{name:36s} {v:12.1f}   ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump(out, f, indent=1)
        os.replace(a.json + ".tmp", a.json)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
