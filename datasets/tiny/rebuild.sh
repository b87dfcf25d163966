#!/usr/bin/env bash
# Rebuilds datasets/tiny from Debian's jargon-text package (the Jargon File 4.4.7, public domain):
# downloads the .deb with apt, extracts jargon.txt, and runs the project's own BPE trainer on it.
# Output (deterministic for a given package version): tokenizer.json, train.bin, valid.bin in this directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VOCAB="${VOCAB:-1024}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get download jargon-text=4.4.7-4.1 2>/dev/null || apt-get download jargon-text
dpkg-deb -x jargon-text_*.deb pkg
zcat pkg/usr/share/doc/jargon-text/jargon.txt.gz > jargon.txt
sha256sum jargon.txt
JAR="$ROOT/train/target/psyche-train-all.jar"
if [ ! -f "$JAR" ]; then (cd "$ROOT" && mvn -B -q -ntp -DskipTests -pl train -am package); fi
java -cp "$JAR" psyche.train.data.BuildTinyDataset jargon.txt "$HERE" "$VOCAB"
sha256sum "$HERE"/train.bin "$HERE"/valid.bin "$HERE"/tokenizer.json
