"""Reference side of LlamaModel_HuggingFaceReferenceTest: Hugging Face Transformers/tokenizers, nothing of ours.

  make  OUT REPO  builds small random Llamas with Transformers and saves them (unsharded and sharded, f32 and bf16)
                  with their logits; builds tokenizers with Hugging Face's `tokenizers` (GPT-2 style, Llama 3 style,
                  Llama 2 style with byte fallback) and writes their ids and decodes of a few hundred strings.
  check OUT       loads every checkpoint directory the Java side wrote under OUT/java with from_pretrained and prints,
                  as JSON, missing/unexpected/mismatched keys and the largest logit difference to the Java logits.
"""
import json
import os
import random
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

V5 = int(transformers.__version__.split(".")[0]) >= 5


def llama_config(**kw):
    scaling = kw.pop("llama3", None)
    theta = kw.pop("rope_theta", 10000.0)
    if V5:
        params = {"rope_type": "default", "rope_theta": theta}
        if scaling:
            params = {"rope_type": "llama3", "rope_theta": theta, **scaling}
        kw["rope_parameters"] = params
    else:
        kw["rope_theta"] = theta
        if scaling:
            kw["rope_scaling"] = {"rope_type": "llama3", **scaling}
    return LlamaConfig(**kw)


CONFIGS = {
    # untied lm_head, GQA 4 over 2, head_dim 24 != 64/4, llama3 RoPE scaling whose bands all occur at head_dim 24
    "untied-gqa-llama3": dict(vocab_size=300, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                              num_attention_heads=4, num_key_value_heads=2, head_dim=24, max_position_embeddings=128,
                              rms_norm_eps=1e-5, tie_word_embeddings=False,
                              llama3=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                          original_max_position_embeddings=32)),
    # tied embeddings, 4 query heads over one KV head, default head_dim and RoPE
    "tied-mqa": dict(vocab_size=256, hidden_size=48, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=1, max_position_embeddings=128, rms_norm_eps=1e-5, tie_word_embeddings=True,
                     rope_theta=500000.0),
}


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits.float()


def make(out, repo):
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    cases = []
    for name, kw in CONFIGS.items():
        cfg = llama_config(**kw)
        model = LlamaForCausalLM(cfg).eval()
        with torch.no_grad():  # norms start at ones: make their order and scale matter
            for n, p in model.named_parameters():
                if "norm" in n:
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
        ids = torch.randint(0, cfg.vocab_size, (2, 40))
        for dtype_name, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16)):
            for shard in ("unsharded", "sharded"):
                d = os.path.join(out, "hf", f"{name}-{dtype_name}-{shard}")
                m = LlamaForCausalLM(cfg).eval()
                m.load_state_dict(model.state_dict())
                m = m.to(dtype)
                m.save_pretrained(d, max_shard_size="40KB" if shard == "sharded" else "10GB", safe_serialization=True)
                # the reference logits: the saved weights (bf16 rounded where saved so) computed in f32
                back = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
                save_file({"ids": ids.float().contiguous(), "logits": logits_of(back, ids).contiguous()},
                          os.path.join(d, "reference.safetensors"))
                cases.append({"dir": d, "sharded": os.path.exists(os.path.join(d, "model.safetensors.index.json")),
                              "dtype": dtype_name})
    strings = test_strings(repo)
    toks = {"tiny": os.path.join(repo, "datasets", "tiny", "tokenizer.json")}
    toks.update(build_tokenizers(out, repo))
    tok_out = {}
    for name, path in toks.items():
        t = Tokenizer.from_file(path)
        enc = [t.encode(s, add_special_tokens=False).ids for s in strings]
        enc_special = [t.encode(s).ids for s in strings]
        tok_out[name] = {"file": path, "ids": enc, "ids_special": enc_special,
                         "decoded": [t.decode(i, skip_special_tokens=False) for i in enc]}
    # the bundled dataset's directory loads with AutoTokenizer and agrees with the tokenizers library
    auto = AutoTokenizer.from_pretrained(os.path.join(repo, "datasets", "tiny"))
    auto_ids = [auto.encode(s, add_special_tokens=False) for s in strings]
    json.dump({"cases": cases, "strings": strings, "tokenizers": tok_out,
               "auto_tokenizer_agrees": auto_ids == tok_out["tiny"]["ids"],
               "versions": {"torch": torch.__version__, "transformers": transformers.__version__}},
              open(os.path.join(out, "reference.json"), "w"), ensure_ascii=False)


def corpus(repo):
    parts = []
    for root, _, files in os.walk(os.path.join(repo, "train", "src", "main", "java", "psyche", "train")):
        for f in sorted(files):
            parts.append(open(os.path.join(root, f), encoding="utf-8").read())
    parts.append(open(os.path.join(repo, "README.md"), encoding="utf-8").read())
    return parts


def test_strings(repo):
    rnd = random.Random(1)
    readme = [l for l in open(os.path.join(repo, "README.md"), encoding="utf-8").read().splitlines() if l.strip()]
    code = [l for l in open(os.path.join(repo, "train", "src", "main", "java", "psyche", "train", "LlamaModel.java"),
                            encoding="utf-8").read().splitlines() if l.strip()]
    pieces = ["", " ", "  ", "   ", "\t", "\t\t x", "\n", "\n\n\n", "\r\n", "a\u00a0\u00a0b", "\u00a0", "x\u00a0 \u00a0y",
              "\u3000全角", "😀", "👩‍💻 coding", "🇫🇷🇯🇵", "中文字符测试", "日本語のテキストです。", "한국어 문장", "naïve café",
              "ÅÄÖ åäö ß", "Ωmega λ", "0123456789", "3.14159e-10", "x += y; // comment", "def f(x):\n    return x**2",
              "if (a && b) { return c; }", "<html><body>hi</body></html>", "\\n\\t", "I'm, you're; we'll! it's?",
              "   leading", "trailing   ", "MiXeD CaSe", "----", "....", "a" * 50, "ab " * 30, "\u200b zero width",
              "tab\tsep\tvalues", "https://example.com/path?q=1&r=2"]
    out = list(pieces)
    while len(out) < 320:
        kind = rnd.randrange(4)
        if kind == 0:
            out.append(rnd.choice(readme))
        elif kind == 1:
            out.append(rnd.choice(code))
        elif kind == 2:
            out.append("".join(rnd.choice(pieces) for _ in range(rnd.randrange(2, 5))))
        else:
            out.append(rnd.choice(readme)[:rnd.randrange(1, 40)] + rnd.choice(pieces) + rnd.choice(code)[:30])
    return out


def build_tokenizers(out, repo):
    text = corpus(repo)
    paths = {}
    d = os.path.join(out, "tokenizers")
    os.makedirs(d, exist_ok=True)
    # GPT-2 style byte-level BPE
    t = Tokenizer(models.BPE())
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    t.train_from_iterator(text, trainers.BpeTrainer(vocab_size=700, special_tokens=["<|endoftext|>"],
                                                    initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    paths["gpt2-style"] = os.path.join(d, "gpt2-style.json")
    t.save(paths["gpt2-style"])
    # Llama 3 style: its split regex, byte-level, ignore_merges, a BOS added by the post-processor
    llama3_re = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
    t = Tokenizer(models.BPE(ignore_merges=True))
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(llama3_re), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    t.decoder = decoders.ByteLevel()
    t.train_from_iterator(text, trainers.BpeTrainer(vocab_size=800, special_tokens=["<|begin_of_text|>", "<|end_of_text|>"],
                                                    initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    bos = t.token_to_id("<|begin_of_text|>")
    t.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)])
    paths["llama3-style"] = os.path.join(d, "llama3-style.json")
    t.save(paths["llama3-style"])
    # Llama 2 style: SentencePiece-like BPE with byte fallback (<0x00>..<0xFF>), metaspace normalizer, <s> prepended
    t = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    t.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    t.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                   decoders.Strip(" ", 1, 0)])
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    t.train_from_iterator(text, trainers.BpeTrainer(vocab_size=900, special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens,
                                                    limit_alphabet=120))
    t.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", t.token_to_id("<s>"))])
    paths["llama2-style"] = os.path.join(d, "llama2-style.json")
    t.save(paths["llama2-style"])
    return paths


def check(out):
    results = {}
    root = os.path.join(out, "java")
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        model, info = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, output_loading_info=True)
        model.eval()
        ref = load_file(os.path.join(d, "java-logits.safetensors"))
        ids = ref["ids"].long()
        theirs = logits_of(model, ids)
        r = {"missing": sorted(info["missing_keys"]), "unexpected": sorted(info["unexpected_keys"]),
             "mismatched": [str(m) for m in info.get("mismatched_keys", [])],
             "max_diff": float((theirs - ref["logits"]).abs().max()),
             "argmax_equal": bool(torch.equal(theirs.argmax(-1), ref["logits"].argmax(-1))),
             "config_dtype": str(model.config.dtype if V5 else model.config.torch_dtype)}
        if os.path.exists(os.path.join(d, "tokenizer.json")):
            tok = AutoTokenizer.from_pretrained(d)
            r["tokenizer_round_trip"] = tok.decode(tok.encode("The hacker\u00a0ethic 😀", add_special_tokens=False)) \
                == "The hacker\u00a0ethic 😀"
        results[name] = r
    print(json.dumps(results))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2])
