#!/usr/bin/env python3
"""Builds json-dump-run.golden.json: what Psyche's run-manager prints for the run that
psyche.ops.PsycheCompat_JsonDumpTest builds, written without any of our Java code.

Shape: tools/rust-tools/run-manager/src/commands/run/json_dump_run.rs (json! objects) and the serde derives of
the values it embeds (shared/coordinator/src/model.rs LLM/HubRepo/Checkpoint/LLMTrainingDataLocation,
shared/core/src/definitions.rs CosineLR/OptimizerDefinition, shared/core/src/data_shuffle.rs Shuffle,
shared/core/src/serde_utils.rs FixedString as a string). Text: serde_json::to_string_pretty without preserve_order
= keys sorted, indent 2, "key": value, {} / [] when empty; f32/f64 as ryu's format32/format64 (dtolnay/ryu
src/pretty/mod.rs: shortest round-trip digits, decimal point at kk = digits + exponent, plain notation for
0 <= exp && kk <= 16 (f32: 13), 0 < kk <= 16 (13), -5 < kk <= 0 (f32: -6), else d.ddde<kk-1>); NaN/inf -> null.

Python's json.dumps(sort_keys=True, indent=2) gives serde_json's layout; floats are swapped in afterwards.
Run: python3 make_golden.py (writes json-dump-run.golden.json, json-dump-run-treasurer.golden.json, json-dump-user.golden.json)
"""
import json, math, struct

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

def b58(b):
    n = int.from_bytes(b, "big"); out = ""
    while n: n, r = divmod(n, 58); out = B58[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + out

def key(byte): return bytes([byte]) * 32

class F32(float): pass
class F64(float): pass

def digits_exp(x, bits):
    """Shortest decimal (digits, exponent) that reads back to x as f32/f64; ties to the nearest."""
    for p in range(1, 18 if bits == 64 else 10):
        s = "%.*e" % (p - 1, x)
        back = float(s) if bits == 64 else struct.unpack("<f", struct.pack("<f", float(s)))[0]
        if back == x:
            mant, e = s.split("e"); d = mant.replace(".", "").rstrip("0") or "0"
            return d, int(e) - (len(d) - 1)
    raise ValueError(x)

def ryu(x, bits):
    if not math.isfinite(x): return "null"
    if x == 0: return ("-" if math.copysign(1, x) < 0 else "") + "0.0"
    sign = "-" if x < 0 else ""; d, k = digits_exp(abs(x), bits)
    kk = len(d) + k; top, low = (16, -5) if bits == 64 else (13, -6)
    if 0 <= k and kk <= top: s = d + "0" * k + ".0"
    elif 0 < kk <= top: s = d[:kk] + "." + d[kk:]
    elif low < kk <= 0: s = "0." + "0" * -kk + d
    else: s = (d if len(d) == 1 else d[0] + "." + d[1:]) + "e" + str(kk - 1)
    return sign + s

floats = []
def mark(v):
    if isinstance(v, (F32, F64)):
        floats.append(ryu(float(v), 32 if isinstance(v, F32) else 64)); return "@@F%d@@" % (len(floats) - 1)
    if isinstance(v, dict): return {k: mark(x) for k, x in v.items()}
    if isinstance(v, list): return [mark(x) for x in v]
    return v

client = key(0x0B)
dump = {
    "coordinator_instance": {"address": b58(key(4)), "join_authority": b58(key(2)), "main_authority": b58(key(1))},
    "coordinator_account": {
        "address": b58(key(3)),
        "run_id": "golden-run",
        "setup": {
            "client_version": "v1.2",
            "metadata": {"name": 'Golden "run"', "description": "line1\nline2 \u00e9\u0001", "num_parameters": 20000000, "vocab_size": 32000},
            "model": {"LLM": {
                "max_seq_len": 2048, "cold_start_warmup_steps": 0, "architecture": "HfLlama",
                "checkpoint": {"Hub": {"repo_id": "emozilla/llama2-1.1b-gqa-init", "revision": None}},
                "data_type": "Pretraining",
                "data_location": {"Http": {
                    "location": {"NumberedFiles": {"url_template": "https://x/{}.bin", "start_index": 0, "n_left_pad_zeros": 3, "num_files": 10}},
                    "token_size_in_bytes": "TwoBytes",
                    "shuffle": {"Seeded": list(range(32))}}},
                "lr_schedule": {"Cosine": {"base_lr": F64(4.0e-4), "warmup_init_lr": F64(0.0), "final_lr": F64(4.0e-5), "warmup_steps": 250, "total_steps": 25000}},
                "optimizer": {"AdamW": {"betas": [F32(struct.unpack("<f", struct.pack("<f", 0.9))[0]), F32(struct.unpack("<f", struct.pack("<f", 0.95))[0])],
                                        "weight_decay": F32(struct.unpack("<f", struct.pack("<f", 0.1))[0]),
                                        "eps": F32(struct.unpack("<f", struct.pack("<f", 1e-8))[0]),
                                        "clip_grad_norm": F32(float("nan"))}}}},
            "config": {"warmup_time": 15, "cooldown_time": 30, "max_round_train_time": 15, "round_witness_time": 1,
                       "global_batch_size_warmup_tokens": 0, "epoch_time": 60, "total_steps": 25000, "init_min_clients": 1,
                       "min_clients": 1, "witness_nodes": 0, "global_batch_size_start": 2048, "global_batch_size_end": 2048,
                       "verification_percent": 0, "waiting_for_members_extra_time": 3},
        },
        "status": {"next_active": 0, "state": "Uninitialized", "epoch": 0, "step": 0},
        "epoch": {"clients": {"alive": {}, "exited": {}},
                  "rates": {"current": {"earning": 0, "slashing": 0}, "future": {"earning": 1000, "slashing": 5}}},
        "clients": {client[:4].hex(): {"active": 0, "earned": 0, "slashed": 0}},
        "accounting": {"max_active": 0, "sum_earned": 0, "sum_slashed": 0},
        "nonce": 7,
    },
    "treasurer_run": None,
}
def render(value):
    floats.clear()
    text = json.dumps(mark(value), sort_keys=True, indent=2, ensure_ascii=False)
    for i, f in enumerate(floats): text = text.replace('"@@F%d@@"' % i, f)
    return text + "\n"

# The same run as a treasurer run (json_dump_run.rs:156-231): current earning rate 1000, 1234567 collateral units
# funded on a 6-decimal mint, nothing earned yet; UI amounts are native as f64 / 10^decimals as f64.
import copy
treasurer = copy.deepcopy(dump)
treasurer["coordinator_account"]["epoch"]["rates"]["current"]["earning"] = 1000
treasurer["treasurer_run"] = {
    "address": b58(key(5)), "index": 77, "main_authority": b58(key(1)), "join_authority": b58(key(2)),
    "total_claimed_earned_points": 0, "total_claimable_earned_points": 0, "total_unclaimed_earned_points": 0,
    "collateral_mint": b58(key(6)),
    "funded_collateral_amount": F64(1234567 / 1e6), "total_missing_collateral_amount": F64(0 / 1e6),
    "total_surplus_collateral_amount": F64(1234567 / 1e6), "burn_collateral_amount_per_epoch": F64(1000 / 1e6),
    "estimated_funded_epochs_count": F64(1234567 / 1000),
}
# json-dump-user of the registered client (json_dump_user.rs:140-152), no treasurer
user = {"address": b58(client), "lamports": 12345,
        "coordinator_account": {"client": {"active": 0, "earned": 0, "slashed": 0}, "epoch_alive": None, "epoch_exited": None},
        "treasurer_participant": None}

if __name__ == "__main__":
    import os, sys
    here = os.path.dirname(os.path.abspath(__file__))
    for name, value in [("json-dump-run.golden.json", dump), ("json-dump-run-treasurer.golden.json", treasurer),
                        ("json-dump-user.golden.json", user)]:
        with open(os.path.join(here, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(render(value))
