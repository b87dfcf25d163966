#!/usr/bin/env python3
"""PyTorch eager baseline for psyche.train.bench.TrainingBench: the same Llama (RMSNorm, RoPE, SwiGLU, GQA, tied
embeddings), the same batch and the same DisTrO step (1-bit, chunk 64, top-k 8, clip 1.0, decay 0.999, one client
applying its own result), written per parameter as DeMo's reference optimizer and Psyche's distro.rs are. Each
step is timed in two parts, forward/backward and DisTrO, on CPU. After WARMUP steps it reads step counts from stdin,
one per line, and answers each with a JSON line: the round's per-step times and its CPU and wall seconds (CPU per
wall second is about THREADS when the thread limit holds).

THREADS limits torch's intra-op pool and the BLAS library's own pool: Debian's torch calls OpenBLAS, whose pthread
pool ignores torch.set_num_threads and would otherwise use every core for the matrix products.

usage: bench_llama_eager.py HIDDEN LAYERS HEADS KV_HEADS INTERMEDIATE VOCAB BATCH SEQ WARMUP THREADS [TIED [COMPILE]]

TIED (default 1): 0 gives the model its own lm_head (Llama 2's layout). COMPILE (default 0): 1 runs the forward and
backward through torch.compile (PyTorch 2.x, inductor; its compilation happens in the warm-up steps).
"""
import json
import math
import os
import sys
import time

hidden, layers, heads, kv, inter, vocab, batch, seq, steps, threads = map(int, sys.argv[1:11])  # steps: warm-up
tied = int(sys.argv[11]) if len(sys.argv) > 11 else 1
compiled = int(sys.argv[12]) if len(sys.argv) > 12 else 0
for pool in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[pool] = str(threads)  # read when torch loads its BLAS, so before the import

import torch  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(0)
d = hidden // heads


def param(*shape, ones=False):
    t = torch.ones(*shape) if ones else torch.randn(*shape) * 0.02
    return t.requires_grad_()


P = {"embed": param(vocab, hidden), "norm": param(hidden, ones=True)}
if not tied:
    P["lm_head"] = param(vocab, hidden)
for i in range(layers):
    P[f"{i}.in"] = param(hidden, ones=True)
    P[f"{i}.q"] = param(hidden, hidden)
    P[f"{i}.k"] = param(kv * d, hidden)
    P[f"{i}.v"] = param(kv * d, hidden)
    P[f"{i}.o"] = param(hidden, hidden)
    P[f"{i}.post"] = param(hidden, ones=True)
    P[f"{i}.gate"] = param(inter, hidden)
    P[f"{i}.up"] = param(inter, hidden)
    P[f"{i}.down"] = param(hidden, inter)

inv = 1.0 / (10000.0 ** (torch.arange(0, d, 2).float() / d))
ang = torch.arange(seq).float()[:, None] * inv[None, :]
cos = torch.cat([ang.cos(), ang.cos()], -1)
sin = torch.cat([ang.sin(), ang.sin()], -1)
mask = torch.full((seq, seq), float("-inf")).triu(1)


def rms(x, w):
    return x / (x.pow(2).mean(-1, keepdim=True) + 1e-5).sqrt() * w


def rope(x):
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def loss_fn(tokens):
    inp, tgt = tokens[:, :-1], tokens[:, 1:]
    b, t = inp.shape
    x = P["embed"][inp]
    for i in range(layers):
        h = rms(x, P[f"{i}.in"])
        q = (h @ P[f"{i}.q"].T).view(b, t, heads, d).transpose(1, 2)
        k = (h @ P[f"{i}.k"].T).view(b, t, kv, d).transpose(1, 2)
        v = (h @ P[f"{i}.v"].T).view(b, t, kv, d).transpose(1, 2)
        q, k = rope(q), rope(k)
        rep = heads // kv
        k = k[:, :, None].expand(b, kv, rep, t, d).reshape(b, heads, t, d)
        v = v[:, :, None].expand(b, kv, rep, t, d).reshape(b, heads, t, d)
        a = ((q @ k.transpose(-1, -2)) / math.sqrt(d) + mask).softmax(-1) @ v
        x = x + a.transpose(1, 2).reshape(b, t, hidden) @ P[f"{i}.o"].T
        g = rms(x, P[f"{i}.post"])
        gate = g @ P[f"{i}.gate"].T
        x = x + (gate * torch.sigmoid(gate) * (g @ P[f"{i}.up"].T)) @ P[f"{i}.down"].T
    logits = rms(x, P["norm"]) @ (P["embed"] if tied else P["lm_head"]).T
    return torch.log_softmax(logits, -1).gather(-1, tgt[..., None]).mean().neg()


if compiled:
    loss_fn = torch.compile(loss_fn)

CHUNK, TOPK, DECAY, CLIP = 64, 8, 0.999, 1.0


def chunk_for(n):
    if n <= CHUNK:
        return n
    return next(c for c in range(CHUNK, 0, -1) if n % c == 0)


def dct_matrix(n):
    j = torch.arange(n).float()[:, None]
    b = torch.arange(n).float()[None, :]
    f = torch.cos(math.pi * (2 * j + 1) * b / (2 * n)) * math.sqrt(2.0 / n)
    f[:, 0] = math.sqrt(1.0 / n)
    return f


DCT = {}


def mat(n):
    if n not in DCT:
        DCT[n] = dct_matrix(n)
    return DCT[n]


def encode(x):
    if x.dim() == 2:
        c1, c2 = chunk_for(x.shape[0]), chunk_for(x.shape[1])
        t = x.view(x.shape[0] // c1, c1, x.shape[1] // c2, c2).permute(0, 2, 1, 3)
        return mat(c1).T @ t @ mat(c2)
    c = chunk_for(x.shape[0])
    return x.view(-1, c) @ mat(c)


def decode(t, shape):
    if t.dim() == 4:
        x = mat(t.shape[2]) @ t @ mat(t.shape[3]).T
        return x.permute(0, 2, 1, 3).reshape(shape)
    return (t @ mat(t.shape[1]).T).reshape(shape)


def compress(coeffs):
    rows = coeffs.shape[0] * coeffs.shape[1] if coeffs.dim() == 4 else coeffs.shape[0]
    flat = coeffs.reshape(rows, -1)
    k = max(1, min(TOPK, flat.shape[1]))
    idx = flat.abs().topk(k, dim=-1).indices
    return idx, flat.gather(-1, idx), coeffs.shape


def decompress(results, xshape):
    rows = xshape[0] * xshape[1] if len(xshape) == 4 else xshape[0]
    totalk = xshape[-1] * (xshape[-2] if len(xshape) == 4 else 1)
    idx = torch.cat([r[0] for r in results], -1)
    val = torch.cat([r[1] for r in results], -1)
    out = torch.zeros(rows, totalk).scatter_reduce(-1, idx, val, reduce="mean", include_self=False)
    return out.view(xshape)


delta = {n: torch.zeros_like(p) for n, p in P.items()}
own = {}
tokens = torch.randint(0, vocab, (batch, seq + 1))
lr = prev_lr = 1e-3


def step():
    """One training step; returns (forward/backward seconds, DisTrO seconds incl. the look-ahead, CPU seconds)."""
    c0 = time.process_time()
    e0 = time.perf_counter()
    with torch.no_grad():
        for n, p in P.items():
            p -= prev_lr * delta[n].sign()
    t0 = time.perf_counter()
    for p in P.values():
        p.grad = None
    loss = loss_fn(tokens)
    loss.backward()
    t1 = time.perf_counter()
    with torch.no_grad():
        torch.nn.utils.clip_grad_norm_(list(P.values()), CLIP)
        results = {}
        for n, p in P.items():
            p += prev_lr * delta[n].sign()
            if n in own:
                delta[n] -= decode(decompress([own[n][:2]], own[n][2]), p.shape)
            delta[n].mul_(DECAY).add_(p.grad, alpha=lr)
            own[n] = compress(encode(delta[n]))
            results[n] = (own[n][0], own[n][1].sign())  # 1-bit: only the signs travel
        for n, p in P.items():
            update = decode(decompress([results[n]], own[n][2]), p.shape)
            p -= lr * update.sign()
    t2 = time.perf_counter()
    return t1 - t0, (t2 - t1) + (t0 - e0), time.process_time() - c0


def blas_library():
    """The BLAS shared library torch loaded (Debian's torch links libblas.so.3, an alternative: reference or OpenBLAS)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and line.split()[-1].startswith("/")}
    return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "unknown"


BLAS = blas_library()
for _ in range(steps):
    step()
# one round per line read: the caller interleaves these rounds with its own, so drift hits both alike
for line in sys.stdin:
    if not line.strip():
        continue
    times = [step() for _ in range(int(line))]
    print(json.dumps({"torch": torch.__version__ + (" torch.compile" if compiled else " eager"), "blas": BLAS, "forward_backward_s": [t[0] for t in times],
                      "distro_s": [t[1] for t in times], "cpu_s": sum(t[2] for t in times),
                      "wall_s": sum(t[0] + t[1] for t in times)}), flush=True)
