#!/usr/bin/env bash
# Forward throughput in f32 and bf16: bae (--precision) against transformers (f32, and the model
# converted to bf16), on the default model, interleaved ROUNDS times; prints every run and the best
# of each engine and precision, with the CPU model and its flags (the machine may be shared).
# Usage: benchmarks/forward/run_precision.sh [THREADS] [SEQUENCE_LENGTH] [BATCH] [ROUNDS]
# Needs a venv with torch+transformers: PYTHON=/path/to/venv/bin/python (default: python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
length=${2:-512}
batch=${3:-1}
rounds=${4:-3}
py=${PYTHON:-python3}
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1  # no progress bars from transformers
swift build -c release --product bae >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512|amx)' | tr '\n' ' ')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
gguf=models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf
results=$(mktemp)
for round in $(seq "$rounds"); do
  for precision in f32 bf16; do
    .build/release/bae bench --model "$gguf" --threads "$threads" --sequence-length "$length" --batch "$batch" \
      --precision "$precision" | tee -a "$results"
    "$py" benchmarks/forward/bench_transformers.py models/smollm2-135m-instruct --gguf "$(basename "$gguf")" \
      --threads "$threads" --sequence-length "$length" --batch "$batch" --precision "$precision" | tee -a "$results"
  done
done
"$py" - "$results" <<'PY'
import json, sys
best = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["engine"], r.get("precision", "f32"))
    if key not in best or r["tokens_per_second"] > best[key]["tokens_per_second"]:
        best[key] = r
for (engine, precision), r in sorted(best.items()):
    extra = f", {r['gflops']} GFLOP/s, kernel {r['kernel']}" if engine == "bae" else ""
    print(f"best {engine:12} {precision}: {r['tokens_per_second']:8.1f} tok/s{extra}")
t32 = best[("transformers", "f32")]["tokens_per_second"]
t16 = best[("transformers", "bf16")]["tokens_per_second"]
for precision in ("f32", "bf16"):
    b = best[("bae", precision)]["tokens_per_second"]
    print(f"bae {precision}: {b / t32:.2f}x transformers f32, {b / t16:.2f}x transformers bf16")
PY
rm -f "$results"
