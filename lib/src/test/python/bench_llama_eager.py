#!/usr/bin/env python3
"""PyTorch eager baseline for psyche.train.bench.TrainingBench: the same Llama (RMSNorm, RoPE, SwiGLU, GQA, tied
embeddings) and the same batch, forward+backward+SGD step timed per step on CPU. Prints one JSON line.

usage: bench_llama_eager.py HIDDEN LAYERS HEADS KV_HEADS INTERMEDIATE VOCAB BATCH SEQ STEPS THREADS
"""
import json
import math
import sys
import time

import torch

hidden, layers, heads, kv, inter, vocab, batch, seq, steps, threads = map(int, sys.argv[1:11])
torch.set_num_threads(threads)
torch.manual_seed(0)
d = hidden // heads


def param(*shape, ones=False):
    t = torch.ones(*shape) if ones else torch.randn(*shape) * 0.02
    return t.requires_grad_()


P = {"embed": param(vocab, hidden), "norm": param(hidden, ones=True)}
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
    logits = rms(x, P["norm"]) @ P["embed"].T
    return torch.log_softmax(logits, -1).gather(-1, tgt[..., None]).mean().neg()


tokens = torch.randint(0, vocab, (batch, seq + 1))
times = []
for s in range(steps + 5):
    t0 = time.perf_counter()
    for p in P.values():
        p.grad = None
    loss = loss_fn(tokens)
    loss.backward()
    with torch.no_grad():
        for p in P.values():
            p -= 1e-3 * p.grad.sign()
    if s >= 5:
        times.append(time.perf_counter() - t0)
times.sort()
median = times[len(times) // 2]
print(json.dumps({"torch": torch.__version__, "median_step_s": median, "tokens_per_s": batch * seq / median,
                  "loss": float(loss)}))
