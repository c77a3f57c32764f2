#!/usr/bin/env python3
"""Independent numpy reference for `cpi theory` (paper digest §5.9), used to cross-check the Java numbers.

Written from the digest, not from the Java code. Differences in *how* it computes (on purpose):
  - gradients come from explicit Jacobians (softmax Jacobian matrices, chain rule written with
    matrices), not from the Lemma 1 closed form used in Java;
  - the whole batch is processed with dense arrays; token layout is axis-aligned (seed 0).

Usage: python3 tools/theory/reference_sim.py [--steps 150] [--lr 2] [--train kq|kq+v] [--cs-points 10] ...
Prints one line per step: step mc_test grad_theta_c grad_theta_s att_c att_cs att_test loss_c loss_cs
(or with --json, a JSON list of the same fields).
"""
import argparse
import json

import numpy as np


def logit(p):
    return np.log(p / (1.0 - p))


def build(a):
    KS, KA = a.subjects, a.answers
    K = KS + KA + 1
    d = KS + KA + 3
    # token ids: subjects 0..KS-1, answers KS..KS+KA-1, relation K-1
    # basis ids: s~ 0..KS-1, a~ KS..KS+KA-1, theta_S KS+KA, theta_C KS+KA+1, e_r KS+KA+2
    tS, tC, er = KS + KA, KS + KA + 1, KS + KA + 2
    Phi = np.zeros((d, K))
    for i in range(KS):
        Phi[i, i] = Phi[tS, i] = 1 / np.sqrt(2)
    for j in range(KA):
        Phi[KS + j, KS + j] = Phi[tC, KS + j] = 1 / np.sqrt(2)
    Phi[er, K - 1] = 1.0
    r = K - 1

    oc, orr = a.o_c, a.o_r
    Z = (KA - 1) * np.exp(oc) + np.exp(orr) + KS
    V = np.zeros((K, K))
    V[KS:KS + KA, :] = oc
    V[r, :] = orr
    hiC = logit(a.delta_c) + np.log(Z)
    hiM = logit(a.delta_m) + np.log(Z)

    subj = iter(range(KS))
    ans = iter(range(KS, KS + KA))
    train = []  # (tokens, target, class)
    for _ in range(a.c_points):
        s, c = next(subj), next(ans)
        V[c, c] = hiC
        train.append(([c, s, r], c, "C"))
    for _ in range(a.cs_points):
        s, c = next(subj), next(ans)
        V[c, c] = hiC
        V[c, s] = hiM
        train.append(([c, s, r], c, "CS"))
    for _ in range(a.s_points):
        s, t = next(subj), next(ans)
        V[t, s] = hiM
        train.append(([s, r], t, "S"))
    test = []  # (tokens, context c, memorised answer)
    for _ in range(a.test_points):
        s, c, m = next(subj), next(ans), next(ans)
        V[m, s] = hiM
        V[c, c] = hiC
        test.append(([c, s, r], c, m))

    Pinv = np.linalg.pinv(Phi)
    WV = Pinv.T @ V @ Pinv
    WKQ = np.zeros((d, d))
    WKQ[er, er] = a.kq_r
    return dict(Phi=Phi, WV=WV, WKQ=WKQ, train=train, test=test, tS=tS, tC=tC, er=er, r=r)


def forward(Phi, WKQ, WV, toks):
    X = Phi[:, toks]                      # d x L
    q = X.T @ WKQ @ X[:, -1]              # key^T W_KQ query, query = last token
    att = np.exp(q - q.max()); att /= att.sum()
    vals = Phi.T @ WV @ X                 # K x L : value logits of every input token
    z = vals @ att
    p = np.exp(z - z.max()); p /= p.sum()
    return X, att, vals, z, p


def loss_and_grads(m, WKQ, WV, train_mode):
    Phi = m["Phi"]
    n = len(m["train"])
    gKQ = np.zeros_like(WKQ)
    gV = np.zeros_like(WV)
    per_class = {}
    for toks, tgt, cls in m["train"]:
        X, att, vals, z, p = forward(Phi, WKQ, WV, toks)
        loss = -np.log(p[tgt])
        per_class.setdefault(cls, []).append(loss)
        dz = p.copy(); dz[tgt] -= 1.0                     # dloss/dz
        Jatt = np.diag(att) - np.outer(att, att)          # d att / d q
        dq = Jatt @ (vals.T @ dz)                         # dloss/dq  (L)
        # q_l = x_l^T WKQ x_last  ->  dq_l/dWKQ = x_l x_last^T
        gKQ += X @ np.outer(dq, X[:, -1]) / n
        # z = Phi^T WV (X att)  ->  dloss/dWV = Phi dz (X att)^T
        if train_mode == "kq+v":
            gV += Phi @ np.outer(dz, X @ att) / n
    loss = {k: float(np.mean(v)) for k, v in per_class.items()}
    return gKQ, gV, loss


def metrics(m, WKQ, WV):
    Phi = m["Phi"]
    mcs, att_test = [], []
    for toks, c, a in m["test"]:
        _, att, _, _, p = forward(Phi, WKQ, WV, toks)
        mcs.append(p[c] / (p[c] + p[a]))
        att_test.append(att[0])
    att = {"C": [], "CS": []}
    for toks, tgt, cls in m["train"]:
        if cls in att:
            _, a_, _, _, _ = forward(Phi, WKQ, WV, toks)
            att[cls].append(a_[0])
    mean = lambda xs: float(np.mean(xs)) if xs else float("nan")
    return float(np.mean(mcs)), mean(att["C"]), mean(att["CS"]), mean(att_test)


def run(a):
    m = build(a)
    WKQ, WV = m["WKQ"].copy(), m["WV"].copy()
    eC, eS, er = np.zeros(WKQ.shape[0]), np.zeros(WKQ.shape[0]), np.zeros(WKQ.shape[0])
    eC[m["tC"]] = 1; eS[m["tS"]] = 1; er[m["er"]] = 1
    rows = []
    for t in range(a.steps + 1):
        gKQ, gV, loss = loss_and_grads(m, WKQ, WV, a.train)
        mc, attc, attcs, atttest = metrics(m, WKQ, WV)
        rows.append(dict(step=t, mc_test=mc, grad_theta_c=float(eC @ (-gKQ) @ er),
                         grad_theta_s=float(eS @ (-gKQ) @ er), att_c=attc, att_cs=attcs, att_test=atttest,
                         loss_c=loss.get("C", float("nan")), loss_cs=loss.get("CS", float("nan"))))
        if t < a.steps:
            WKQ = WKQ - a.lr * gKQ
            if a.train == "kq+v":
                WV = WV - a.lr * gV
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--subjects", type=int, default=40)
    p.add_argument("--answers", type=int, default=80)
    p.add_argument("--c-points", type=int, default=10)
    p.add_argument("--cs-points", type=int, default=10)
    p.add_argument("--s-points", type=int, default=0)
    p.add_argument("--test-points", type=int, default=10)
    p.add_argument("--delta-c", type=float, default=0.2)
    p.add_argument("--delta-m", type=float, default=0.6)
    p.add_argument("--lr", type=float, default=2.0)
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--kq-r", type=float, default=-30.0)
    p.add_argument("--train", choices=["kq", "kq+v"], default="kq")
    p.add_argument("--o-c", type=float, default=0.0)
    p.add_argument("--o-r", type=float, default=0.0)
    p.add_argument("--json", action="store_true")
    p.add_argument("--compare", metavar="THEORY_JSON",
                   help="compare with a `cpi theory --out DIR` result (DIR/theory.json); uses ITS params")
    a = p.parse_args()
    if a.compare:
        return compare(a.compare)
    rows = run(a)
    if a.json:
        print(json.dumps(rows))
        return
    keys = ["step", "mc_test", "grad_theta_c", "grad_theta_s", "att_c", "att_cs", "att_test", "loss_c", "loss_cs"]
    print(" ".join(keys))
    for r in rows:
        print(" ".join(str(r[k]) if k == "step" else f"{r[k]:.10g}" for k in keys))
    best = max(rows, key=lambda r: r["mc_test"])
    print(f"# peak step {best['step']} mc_test {best['mc_test']:.6f}; final mc_test {rows[-1]['mc_test']:.6f}")


def compare(path):
    """Re-run the construction with the parameters recorded in theory.json and report max |diff| per field."""
    with open(path) as f:
        java = json.load(f)
    pr = java["params"]
    if pr.get("seed", 0) != 0 or pr.get("s_unseen_points", 0) != 0:
        print("note: reference uses the canonical basis / no unseen S points; results should still agree")
    a = argparse.Namespace(subjects=pr["subjects"], answers=pr["answers"], c_points=pr["c_points"],
                           cs_points=pr["cs_points"], s_points=pr["s_points"], test_points=pr["test_points"],
                           delta_c=pr["delta_c"], delta_m=pr["delta_m"], lr=pr["lr"], steps=pr["steps"],
                           kq_r=pr["kq_r"], train=pr["train"], o_c=pr["o_c"], o_r=pr["o_r"])
    ref = run(a)
    jt = java["trajectory"]
    assert len(ref) == len(jt), (len(ref), len(jt))
    worst = 0.0
    print(f"{'field':14s} {'max |java - numpy|':>20s}  (over steps 0..{len(jt) - 1})")
    for k in ["mc_test", "grad_theta_c", "grad_theta_s", "att_c", "att_cs", "att_test", "loss_c", "loss_cs"]:
        diffs = [abs(r[k] - j[k]) for r, j in zip(ref, jt) if j[k] is not None and not np.isnan(r[k])]
        d = max(diffs) if diffs else float("nan")
        worst = max(worst, d) if diffs else worst
        print(f"{k:14s} {d:20.3e}")
    rp = max(ref, key=lambda r: r["mc_test"])
    print(f"peak: java step {java['peak']['step']} mc {java['peak']['mc_test']:.12f}; "
          f"numpy step {rp['step']} mc {rp['mc_test']:.12f}")
    print(f"max abs diff over all fields: {worst:.3e}")


if __name__ == "__main__":
    main()
