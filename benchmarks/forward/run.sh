#!/usr/bin/env bash
# Forward-pass throughput of bae vs transformers (CPU, f32) in the same run and thread count.
# Usage: benchmarks/forward/run.sh [THREADS] [SEQUENCE_LENGTH]
# Needs a venv with torch+transformers: PYTHON=/path/to/venv/bin/python (default: python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
length=${2:-512}
py=${PYTHON:-python3}
swift build -c release >/dev/null
random=out/bench/random-smollm2-shape
[ -f "$random/config.json" ] || "$py" benchmarks/forward/make_random_model.py "$random" >/dev/null
run_pair() {  # label, bae --model path, transformers args…
  local label=$1 model=$2; shift 2
  local b t
  b=$(OPENBLAS_NUM_THREADS=$threads .build/release/bae bench --model "$model" --threads "$threads" --sequence-length "$length")
  t=$("$py" benchmarks/forward/bench_transformers.py "$@" --threads "$threads" --sequence-length "$length")
  echo "$label bae:          $b"
  echo "$label transformers: $t"
  "$py" -c "import json,sys; b=json.loads(sys.argv[1]); t=json.loads(sys.argv[2]); print(f'$label ratio bae/transformers = {b[\"tokens_per_second\"]/t[\"tokens_per_second\"]:.2f} ({b[\"tokens_per_second\"]:.0f} vs {t[\"tokens_per_second\"]:.0f} tok/s, {$threads} threads, {$length} tokens)')" "$b" "$t"
}
run_pair "random SmolLM2-shape (f32 safetensors):" "$random" "$random"
gguf=models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf
if [ -f "$gguf" ]; then
  run_pair "SmolLM2-135M-Instruct (GGUF, dequantized to f32):" "$gguf" models/smollm2-135m-instruct --gguf SmolLM2-135M-Instruct.Q4_1.gguf
fi
