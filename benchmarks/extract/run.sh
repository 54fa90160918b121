#!/usr/bin/env bash
# Whole-job extraction: `bae extract` against extract_python.py (what a careful Python user writes),
# same corpus, windows, hook, rows and threads, f32 and bf16 on both sides, interleaved ROUNDS
# times. Reports wall-clock tokens/s (load, read, tokenize, forward, write: the whole process) and
# peak RSS (GNU time), best of the rounds, as ratios; and the CPU model and its flags.
# Usage: benchmarks/extract/run.sh [THREADS] [MAX_TOKENS] [LAYER] [ROUNDS]
# Needs a venv with torch, transformers, tokenizers, zstandard: PYTHON=/path/to/venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
tokens=${2:-20000}
layer=${3:-12}
rounds=${4:-2}
py=${PYTHON:-python3}
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1  # no progress bars from transformers
corpus=corpora/pile-sample.jsonl.zst
swift build -c release --product bae >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512|amx)' | tr '\n' ' ')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
work=$(mktemp -d)
results=$work/results.txt
measure() {  # label, command… → appends "label seconds peak_kib"
  local label=$1; shift
  rm -rf "$work/out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
  echo "$label $(cat "$work/time")" | tee -a "$results"
}
for round in $(seq "$rounds"); do
  for precision in f32 bf16; do
    measure "bae-$precision" .build/release/bae extract --corpus "$corpus" --hooks "resid_post:$layer" \
      --max-tokens "$tokens" --threads "$threads" --precision "$precision" --out "$work/out"
    measure "python-$precision" "$py" benchmarks/extract/extract_python.py "$corpus" "$work/out" --layer "$layer" \
      --max-tokens "$tokens" --threads "$threads" --precision "$precision"
  done
done
"$py" - "$results" "$tokens" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    label, seconds, kib = line.split()
    seconds, mib = float(seconds), int(kib) / 1024
    if label not in best or seconds < best[label][0]:
        best[label] = (seconds, mib)
tokens = int(sys.argv[2])
for label, (s, mib) in sorted(best.items()):
    print(f"best {label:12}: {tokens / s:7.0f} tok/s ({s:.1f} s wall), peak RSS {mib:.0f} MiB")
for p in ("f32", "bf16"):
    b, t = best[f"bae-{p}"], best[f"python-{p}"]
    print(f"{p}: bae/python tok/s = {t[0] / b[0]:.2f}x, peak RSS bae/python = {b[1] / t[1]:.2f}")
b16, t32, t16 = best["bae-bf16"], best["python-f32"], best["python-bf16"]
print(f"bae bf16 vs python f32: {t32[0] / b16[0]:.2f}x; vs python bf16: {t16[0] / b16[0]:.2f}x")
PY
rm -rf "$work"
