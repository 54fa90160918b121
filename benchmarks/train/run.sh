#!/usr/bin/env bash
# Training throughput: bae train against the PyTorch version (bench_torch.py) on the same rows,
# architecture, batch size, epochs and threads, in one run.
# Usage: benchmarks/train/run.sh [THREADS] [EPOCHS]
# Needs a venv with torch (CPU), safetensors, numpy: PYTHON=/path/to/venv/bin/python (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
epochs=${2:-5}
py=${PYTHON:-python3}
swift build -c release --product bae >/dev/null
bae=.build/release/bae
features=out/bench/train-l15
hook=blocks.15.hook_resid_post
[ -f "$features/manifest.json" ] || "$bae" extract --corpus corpora/pile-sample.jsonl.zst --hooks resid_post:15 \
  --max-tokens 16384 --threads "$threads" --out "$features" >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512bw|avx512_bf16|avx512_vpopcntdq|amx_bf16|amx_tile)$' | tr '\n' ' ')"
for arch in bae relu topk; do
  extra=()
  case $arch in
    bae) extra=(--entropy-weight 1e-7 --entropy-start-epoch 0 --covariance-weight 1e-7) ;;
    relu) extra=(--l1-weight 1e-7) ;;
    topk) extra=(--topk 10) ;;
  esac
  out=out/bench/train-$arch
  rm -rf "$out"
  b=$("$bae" train --features "$features" --hook "$hook" --arch "$arch" --expand 4 --batch-size 512 --epochs "$epochs" \
    --checkpoint-every "$epochs" --threads "$threads" --out "$out" --json "${extra[@]}")
  t=$("$py" benchmarks/train/bench_torch.py "$features" --hook "$hook" --arch "$arch" --epochs "$epochs" \
    --batch-size 512 --threads "$threads" "${extra[@]}")
  "$py" - "$b" "$t" "$arch" <<'PY'
import json, sys
b = json.loads(sys.argv[1])["runs"][0]
t = json.loads(sys.argv[2])
print(f"{sys.argv[3]:5s} bae {b['rows_per_second']:9.0f} samples/s   torch {t['samples_per_second']:9.0f} samples/s   ratio {b['rows_per_second'] / t['samples_per_second']:.2f}")
PY
done
