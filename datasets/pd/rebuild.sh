#!/usr/bin/env bash
# Rebuilds datasets/pd from Debian packages (public domain texts, see PROVENANCE.md): the King James Bible
# (bible-kjv-text, decoded with bible-kjv's own `bible` program) and the Jargon File 4.4.7 (jargon-text).
# Needs apt-get download, and python with Hugging Face `tokenizers` (bin/run-tests' venv ~/.cache/psyche/hf-venv).
# Output (deterministic for given package versions): tokenizer.json, tokenizer_config.json, train.bin, valid.bin.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PSYCHE_HF_PYTHON:-$HOME/.cache/psyche/hf-venv/bin/python}"
"$PY" -c "import tokenizers" || { echo "rebuild.sh: needs python with tokenizers: run bin/run-tests once, or set PSYCHE_HF_PYTHON" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get download bible-kjv-text=4.38 bible-kjv=4.38 jargon-text=4.4.7-4.1 2>/dev/null \
  || apt-get download bible-kjv-text bible-kjv jargon-text
for d in *.deb; do dpkg-deb -x "$d" pkg; done
# one verse per line ("Ge1:1 In the beginning..."): drop the reference, one chapter per document
pkg/usr/bin/bible -p pkg/usr/lib -f "Gen1:1-Rev22:21" \
  | awk '{ split($1, r, ":"); ch = r[1]; sub(/^[^ ]+ /, ""); if (ch != prev && NR > 1) print ""; prev = ch; print }' > kjv.txt
zcat pkg/usr/share/doc/jargon-text/jargon.txt.gz > jargon.txt
sha256sum kjv.txt jargon.txt
"$PY" "$HERE/build.py" "$HERE" kjv.txt jargon.txt
sha256sum "$HERE"/train.bin "$HERE"/valid.bin "$HERE"/tokenizer.json
