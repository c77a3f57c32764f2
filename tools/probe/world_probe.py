#!/usr/bin/env python3
"""Probe: does a tiny GPT-2-style model trained from scratch on cpi's synthetic world show
context-parametric inversion at demo scale? Mirrors cpi.world (same world layout, same plain
template, bos prepended everywhere) so the settings found here carry over to `cpi demo`.

Run with Debian's python3-torch (tools/reference/setup.sh):
  /usr/bin/python3 tools/probe/world_probe.py --seed 0 [--quick]
Prints pretraining metrics, per-variant curves (cf / parametric / capability) and timings.
"""
import argparse, math, random, re, time, json, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

REL = ["capital", "color", "sport", "food"]
SYL = ["ka", "lo", "mi", "ru", "te", "zo", "vi", "na", "pe", "xu", "bo", "di", "fa", "gu", "ho", "je",
       "ly", "qu", "sa", "wo"]


def words(rng, n, length, taken):
    out = []
    while len(out) < n:
        w = "".join(rng.choice(SYL) for _ in range(length))
        if w not in taken:
            taken.add(w); out.append(w)
    return out


def fact(rng, r, s, o):
    k = rng.randrange(3)
    if k == 0: return f"the {r} of {s} is {o} ."
    if k == 1: return f"{s} has {r} {o} ."
    return f"for {s} the {r} is {o} ."


def tok(text):
    return re.findall(r"\w+|[^\w\s]+|\n", text)


class World:
    def __init__(self, seed, a):
        self.a = a
        rng = random.Random(seed)
        taken = set()
        self.objs = {r: words(rng, a.objects, 2, taken) for r in REL}
        n_eval_obj = a.objects // 3
        if a.obj_split:
            self.eval_objs = {r: self.objs[r][:n_eval_obj] for r in REL}
            self.ift_objs = {r: self.objs[r][n_eval_obj:] for r in REL}
        else:
            self.eval_objs = self.ift_objs = self.objs
        self.known = words(rng, a.known, 3, taken)
        self.unknown = words(rng, a.unknown, 3, taken)
        n_ke = a.known // 3
        self.known_eval, self.known_ift = self.known[:n_ke], self.known[n_ke:]
        n_ue = a.unknown // 3
        self.unk_eval, self.unk_ift = self.unknown[:n_ue], self.unknown[n_ue:]
        self.facts = {}
        for s in self.known_eval:
            for r in REL: self.facts[(s, r)] = rng.choice(self.eval_objs[r])
        for s in self.known_ift:
            for r in REL: self.facts[(s, r)] = rng.choice(self.ift_objs[r])
        self.rng = rng
        vocab = ["<pad>", "<bos>", "<eos>", "<unk>", "\n", "the", "of", "is", ".", "has", "for", "what", "?", "Q", "A", ":"] + REL
        for r in REL: vocab += self.objs[r]
        vocab += self.known + self.unknown
        self.vocab = vocab
        self.id = {w: i for i, w in enumerate(vocab)}

    def enc(self, text):
        return [self.id[w] for w in tok(text)]

    def pretrain_doc(self, rng, a):
        locs = [(rng.choice(self.unknown), rng.choice(REL)) for _ in range(a.local_facts)]
        locs = [(s, r, rng.choice(self.objs[r])) for s, r in locs]
        ids = []
        while True:
            if rng.random() < a.p_known:
                s = rng.choice(self.known); r = rng.choice(REL); sent = fact(rng, r, s, self.facts[(s, r)])
            else:
                s, r, o = rng.choice(locs); sent = fact(rng, r, s, o)
            t = self.enc(sent)
            if len(ids) + len(t) > a.doc_len - 1: break
            ids += t
        return [1] + ids

    def ctx(self, rng, s, r, o, pool_subj, pool_obj):
        sents = [fact(rng, r, s, o)]
        for _ in range(self.a.n_distract):
            d_s = rng.choice([x for x in pool_subj if x != s])
            d_r = r if rng.random() < self.a.same_rel else rng.choice(REL)
            d_o = self.facts.get((d_s, d_r)) or rng.choice(pool_obj[d_r])
            sents.append(fact(rng, d_r, d_s, d_o))
        rng.shuffle(sents)
        return " ".join(sents)


def prompt(ctx, q):
    return (ctx + "\n" if ctx else "") + "Q: " + q + "\nA:"


def question(r, s):
    return f"what is the {r} of {s} ?"


def ift_set(w, rng, a):
    ex = []
    n = a.ift_n
    for i in range(n):
        u = rng.random()
        r = rng.choice(REL)
        if u < a.cc_frac:
            s = rng.choice(w.unk_ift); o = rng.choice(w.ift_objs[r]); kind = "context_critical"
            pool = w.unk_ift
        elif u < a.cc_frac + a.cb_frac:
            s = rng.choice(w.known_ift); o = w.facts[(s, r)]; kind = "closed_book"
            pool = None
        else:
            s = rng.choice(w.known_ift); o = w.facts[(s, r)]; kind = "non_context_critical"
            pool = w.known_ift
        c = "" if pool is None else w.ctx(rng, s, r, o, pool, w.ift_objs)
        ex.append(dict(kind=kind, prompt=prompt(c, question(r, s)), answer=o, cb=f"the {r} of {s} is", s=s, r=r))
    return ex


def augment(w, rng, exs, frac):
    out = list(exs)
    for _ in range(int(len(exs) * frac)):
        r = rng.choice(REL); s = rng.choice(w.known_ift); true = w.facts[(s, r)]
        o = rng.choice([x for x in w.ift_objs[r] if x != true])
        c = w.ctx(rng, s, r, o, w.known_ift, w.ift_objs)
        out.append(dict(kind="counterfactual", prompt=prompt(c, question(r, s)), answer=o, cb=f"the {r} of {s} is", s=s, r=r))
    rng.shuffle(out)
    return out


def eval_sets(w, rng):
    cf, cap = [], []
    for s in w.known_eval:
        for r in REL:
            true = w.facts[(s, r)]
            others = [x for x in w.eval_objs[r] if x != true]; rng.shuffle(others)
            for o in others[:w.a.cf_per_fact]:
                cf.append(dict(prompt=prompt(w.ctx(rng, s, r, o, w.known_eval, w.eval_objs), question(r, s)), cf=o, par=true, s=s, r=r))
            cap.append(dict(prompt=prompt(w.ctx(rng, s, r, true, w.known_eval, w.eval_objs), question(r, s)), cf=true))
    for s in w.unk_eval[:len(w.known_eval)]:
        r = rng.choice(REL); o = rng.choice(w.eval_objs[r])
        cap.append(dict(prompt=prompt(w.ctx(rng, s, r, o, w.unk_eval, w.eval_objs), question(r, s)), cf=o))
    return cf, cap


class Block(nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.h = h
        s.ln1 = nn.LayerNorm(d); s.q = nn.Linear(d, d); s.k = nn.Linear(d, d); s.v = nn.Linear(d, d); s.o = nn.Linear(d, d)
        s.ln2 = nn.LayerNorm(d); s.fc = nn.Linear(d, 4 * d); s.pr = nn.Linear(4 * d, d)

    def forward(s, x):
        B, T, D = x.shape; h = s.h
        y = s.ln1(x)
        q = s.q(y).view(B, T, h, D // h).transpose(1, 2)
        k = s.k(y).view(B, T, h, D // h).transpose(1, 2)
        v = s.v(y).view(B, T, h, D // h).transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // h)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        x = x + s.o((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + s.pr(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(s, V, d, L, h, P):
        super().__init__()
        s.wte = nn.Embedding(V, d); s.wpe = nn.Embedding(P, d)
        s.blocks = nn.ModuleList([Block(d, h) for _ in range(L)]); s.lnf = nn.LayerNorm(d)
        for p in s.modules():
            if isinstance(p, (nn.Linear, nn.Embedding)):
                nn.init.normal_(p.weight, std=0.02)
                if isinstance(p, nn.Linear): nn.init.zeros_(p.bias)

    def forward(s, ids):
        T = ids.shape[1]
        x = s.wte(ids) + s.wpe(torch.arange(T))
        for b in s.blocks: x = b(x)
        return s.lnf(x) @ s.wte.weight.t()


def pad(seqs):
    T = max(len(x) for x in seqs)
    return torch.tensor([x + [0] * (T - len(x)) for x in seqs])


def batch_examples(w, exs):
    seqs, tgt = [], []
    for e in exs:
        # target = " answer" + eos, as cpi.train.Finetune trains it (SftEncoder appends eos)
        p = [1] + w.enc(e["prompt"]); a = w.enc(" " + e["answer"]) + [2]
        seqs.append(p + a); tgt.append([(len(p) - 1 + j, t) for j, t in enumerate(a)])
    return seqs, tgt


@torch.no_grad()
def next_tok(model, w, prompts, bs=256):
    out = []
    model.eval()
    for i in range(0, len(prompts), bs):
        seqs = [[1] + w.enc(p) for p in prompts[i:i + bs]]
        # right pad and read the logits at each prompt's last position
        logits = model(pad(seqs))
        for j, s in enumerate(seqs): out.append(logits[j, len(s) - 1].argmax().item())
    model.train()
    return out


def evaluate(model, w, cf, cap):
    p = next_tok(model, w, [e["prompt"] for e in cf])
    cfa = sum(x == w.id[e["cf"]] for x, e in zip(p, cf)) / len(cf)
    par = sum(x == w.id[e["par"]] for x, e in zip(p, cf)) / len(cf)
    p = next_tok(model, w, [e["prompt"] for e in cap])
    capa = sum(x == w.id[e["cf"]] for x, e in zip(p, cap)) / len(cap)
    p = next_tok(model, w, [prompt("", question(e["r"], e["s"])) for e in cf])
    qcb = sum(x == w.id[e["par"]] for x, e in zip(p, cf)) / len(cf)
    return cfa, par, capa, qcb


def pretrain(w, a, seed):
    torch.manual_seed(seed)
    rng = random.Random(seed + 1)
    docs = [w.pretrain_doc(rng, a) for _ in range(a.pre_docs)]
    m = GPT(len(w.vocab), a.d, a.layers, a.heads, 128)
    opt = torch.optim.AdamW(m.parameters(), lr=a.pre_lr, weight_decay=0.0, betas=(0.9, 0.95))
    t0 = time.time()
    for step in range(a.pre_steps):
        lr = a.pre_lr * min(1.0, (step + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / a.pre_steps)))
        for g in opt.param_groups: g["lr"] = lr
        b = [docs[(step * a.pre_bs + i) % len(docs)] for i in range(a.pre_bs)]
        x = pad(b)
        mask = torch.tensor([[1] * (len(s) - 1) + [0] * (x.shape[1] - len(s)) for s in b], dtype=torch.float)
        logits = m(x[:, :-1])
        l = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="none")
        loss = (l * mask.reshape(-1)).sum() / mask.sum()
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
        if step % a.pre_report == 0 or step == a.pre_steps - 1:
            c, k = pretrain_metrics(m, w, random.Random(5)); m.train()
            print(f"  pre step {step} loss {loss.item():.3f} closed {c:.2f} copy {k:.2f} {time.time()-t0:.0f}s", flush=True)
    return m, time.time() - t0


def pretrain_metrics(m, w, rng):
    cb = [(f"the {r} of {s} is", w.facts[(s, r)]) for s in w.known for r in REL]
    p = next_tok(m, w, [x[0] for x in cb]); closed = sum(a == w.id[o] for a, (_, o) in zip(p, cb)) / len(cb)
    cp = []
    for i in range(200):
        s = rng.choice(w.unknown); r = rng.choice(REL); o = rng.choice(w.objs[r])
        d_s = rng.choice(w.unknown); d_r = rng.choice(REL)
        ctx = fact(rng, r, s, o) + " " + fact(rng, d_r, d_s, rng.choice(w.objs[d_r]))
        cp.append((ctx + f" the {r} of {s} is", o))
    p = next_tok(m, w, [x[0] for x in cp]); copy = sum(a == w.id[o] for a, (_, o) in zip(p, cp)) / len(cp)
    return closed, copy


def cb_scores(m, w, exs):
    """No-context loss of the answer in statement form, with the pretrained model."""
    out = []
    with torch.no_grad():
        for i in range(0, len(exs), 256):
            chunk = exs[i:i + 256]
            seqs = [[1] + w.enc(e["cb"]) for e in chunk]
            lp = m(pad(seqs)).log_softmax(-1)
            for j, (s, e) in enumerate(zip(seqs, chunk)): out.append(-lp[j, len(s) - 1, w.id[e["answer"]]].item())
    return out


def train_acc(m, w, exs):
    p = next_tok(m, w, [e["prompt"] for e in exs])
    r = {}
    for k in ("context_critical", "non_context_critical"):
        sel = [(x, e) for x, e in zip(p, exs) if e["kind"] == k]
        r[k] = sum(x == w.id[e["answer"]] for x, e in sel) / max(1, len(sel))
    return r["context_critical"], r["non_context_critical"]


def finetune(base, w, a, exs, cf, cap, mode, seed):
    torch.manual_seed(seed + 7)
    m = GPT(len(w.vocab), a.d, a.layers, a.heads, 128); m.load_state_dict(base.state_dict())
    if mode == "qk":
        params = [p for n, p in m.named_parameters() if re.search(r"\.(q|k)\.", n)]
    else:
        params = list(m.parameters())
    base_lr = a.lr if mode != "qk" else a.lr * a.qk_lr_mult
    opt = torch.optim.AdamW(params, lr=base_lr, weight_decay=0.0)
    rng = random.Random(seed + 3)
    seqs, tgt = batch_examples(w, exs)
    order = []
    curve = [(0,) + evaluate(m, w, cf, cap)]
    t0 = time.time()
    for step in range(1, a.steps + 1):
        if len(order) < a.bs:
            o = list(range(len(exs))); rng.shuffle(o); order += o
        idx, order = order[:a.bs], order[a.bs:]
        if a.sched == "linear":
            for g in opt.param_groups: g["lr"] = base_lr * min(1.0, step / max(1, a.warmup)) * (1 - (step - 1) / a.steps)
        x = pad([seqs[i] for i in idx])
        logits = m(x)
        rows = torch.tensor([b for b, i in enumerate(idx) for _ in tgt[i]])
        pos = torch.tensor([p for i in idx for p, _ in tgt[i]]); y = torch.tensor([t for i in idx for _, t in tgt[i]])
        loss = F.cross_entropy(logits[rows, pos], y)
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step()
        if step % a.eval_every == 0:
            curve.append((step,) + evaluate(m, w, cf, cap))
            if step % (4 * a.eval_every) == 0:
                print(f"    step {step} train cc/nc %.2f/%.2f" % train_acc(m, w, exs[:300]), flush=True)
    return curve, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--objects", type=int, default=24)
    ap.add_argument("--known", type=int, default=120)
    ap.add_argument("--unknown", type=int, default=400)
    ap.add_argument("--p_known", type=float, default=0.5)
    ap.add_argument("--local_facts", type=int, default=2)
    ap.add_argument("--doc_len", type=int, default=64)
    ap.add_argument("--pre_docs", type=int, default=20000)
    ap.add_argument("--pre_steps", type=int, default=2000)
    ap.add_argument("--pre_bs", type=int, default=32)
    ap.add_argument("--obj_split", type=int, default=1)
    ap.add_argument("--save", default="")
    ap.add_argument("--load", default="")
    ap.add_argument("--pre_report", type=int, default=200)
    ap.add_argument("--pre_lr", type=float, default=3e-3)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ift_n", type=int, default=2000)
    ap.add_argument("--cc_frac", type=float, default=0.3)
    ap.add_argument("--cb_frac", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--qk_lr_mult", type=float, default=1.0)
    ap.add_argument("--eval_every", type=int, default=100)
    ap.add_argument("--drop", type=float, default=0.4)
    ap.add_argument("--aug", type=float, default=0.3)
    ap.add_argument("--variants", default="baseline,filtered,augmented,qk_only")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n_distract", type=int, default=1)
    ap.add_argument("--cf_per_fact", type=int, default=1)
    ap.add_argument("--sched", default="constant")
    ap.add_argument("--warmup", type=int, default=15)
    ap.add_argument("--same_rel", type=float, default=0.25)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps(vars(a)))
    T0 = time.time()
    w = World(a.seed, a)
    print(f"vocab {len(w.vocab)}")
    if a.load:
        base = GPT(len(w.vocab), a.d, a.layers, a.heads, 128); base.load_state_dict(torch.load(a.load)); tp = 0
    else:
        base, tp = pretrain(w, a, a.seed)
    if a.save: torch.save(base.state_dict(), a.save)
    nparam = sum(p.numel() for p in base.parameters())
    closed, copy = pretrain_metrics(base, w, random.Random(a.seed + 5))
    rng = random.Random(a.seed + 2)
    exs = ift_set(w, rng, a)
    cf, cap = eval_sets(w, random.Random(a.seed + 4))
    print(f"params {nparam} pretrain {tp:.0f}s closed_book {closed:.2f} copy {copy:.2f}", flush=True)
    res = {}
    for v in [x for x in a.variants.split(",") if x]:
        data, mode = exs, "full"
        if v == "filtered":
            sc = cb_scores(base, w, exs)
            order = sorted(range(len(exs)), key=lambda i: sc[i])
            dropped = set(order[:int(len(exs) * a.drop)])
            data = [e for i, e in enumerate(exs) if i not in dropped]
            dk = [exs[i]["kind"] for i in dropped]
            print(f"  filter dropped {len(dropped)}: nc {dk.count('non_context_critical')} cc {dk.count('context_critical')}")
        elif v == "augmented":
            data = augment(w, random.Random(a.seed + 9), exs, a.aug)
        elif v == "qk_only":
            mode = "qk"
        curve, t = finetune(base, w, a, data, cf, cap, mode, a.seed)
        cfs = [c[1] for c in curve]; pk = max(range(len(cfs)), key=lambda i: cfs[i])
        res[v] = dict(start=cfs[0], peak=cfs[pk], peak_step=curve[pk][0], final=cfs[-1], par=curve[-1][2], cap=curve[-1][3], time=t)
        print(f"{v:10s} {t:5.0f}s " + " ".join(f"{c[0]}:{c[1]:.2f}/{c[2]:.2f}/{c[3]:.2f}/{c[4]:.2f}" for c in curve), flush=True)
        print(f"  -> start {cfs[0]:.2f} peak {cfs[pk]:.2f}@{curve[pk][0]} final {cfs[-1]:.2f} rise {cfs[pk]-cfs[0]:+.2f} drop {cfs[pk]-cfs[-1]:.2f}", flush=True)
    print(f"TOTAL {time.time()-T0:.0f}s")
    print("RESULT " + json.dumps(dict(closed=closed, copy=copy, res=res)))


if __name__ == "__main__":
    main()
