"""Builds datasets/pd from public-domain texts that Debian packages carry (see PROVENANCE.md): a byte-level BPE of
32,000 tokens trained with Hugging Face's `tokenizers` (the same pre-tokenizer as datasets/tiny), written as
tokenizer.json + tokenizer_config.json, and the corpus as little-endian u16 tokens (train.bin, valid.bin: every 20th
document held out). Usage: build.py OUT_DIR TEXT_FILE...  (each file: documents separated by blank lines)"""
import json
import re
import struct
import sys

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

VOCAB = 32000
# datasets/tiny's pre-tokenizer (psyche.train.data.BpeTokenizer.PATTERN)
PATTERN = r" ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"


def normalize(text):
    """As BuildTinyDataset.normalize: lines stripped, runs of spaces collapsed, at most one blank line in a row."""
    out, blank = [], 0
    for line in text.split("\n"):
        l = re.sub(r" {2,}", " ", line.strip())
        if not l:
            blank += 1
            if blank > 1:
                continue
        else:
            blank = 0
        out.append(l)
    return "\n".join(out)


def main(out, files):
    docs = []
    for f in files:
        text = normalize(open(f, encoding="utf-8").read())
        docs.extend(d.strip() + "\n" for d in text.split("\n\n") if d.strip())
    valid = [d for i, d in enumerate(docs) if i % 20 == 19]
    train = [d for i, d in enumerate(docs) if i % 20 != 19]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(train, trainers.BpeTrainer(vocab_size=VOCAB, show_progress=False,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.save(f"{out}/tokenizer.json")
    json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False},
              open(f"{out}/tokenizer_config.json", "w"), indent=2)
    for name, part in (("train", train), ("valid", valid)):
        ids = []
        for enc in tok.encode_batch(part):
            ids.extend(enc.ids)
        assert max(ids) < 65536
        with open(f"{out}/{name}.bin", "wb") as w:
            w.write(struct.pack(f"<{len(ids)}H", *ids))
        text = "".join(part)
        print(f"{name}: {len(part)} documents, {len(text)} chars -> {len(ids)} tokens "
              f"({len(text.encode('utf-8')) / len(ids):.2f} bytes/token)")
    print(f"vocab {tok.get_vocab_size()}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
