#!/usr/bin/env bash
# The main job, end to end on the default model (SmolLM2-135M-Instruct), after `make build`:
#   1. extract hidden states of two layers from the shipped corpora;
#   2. train a BAE on each layer (one read of the feature set);
#   3. evaluate both (reconstruction, dead/dense codes, downstream loss with the BAE spliced in);
#   4. trace the entropy of the last prompt token over layers as SST-2 demonstrations are added.
# Everything lands in out/demo/ (CSV, JSON, SVG); a summary is printed at the end and kept in
# out/demo/summary.txt. Progress shows on stderr when it is a terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
bae=.build/release/bae
out=out/demo
threads=${THREADS:-$(nproc)}
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS
step() { echo "== $* ($((SECONDS - start)) s)" >&2; }

step "extract resid_post 6 and 18 from the shipped corpora (16,384 tokens)"
$bae extract --corpus corpora/pile-sample.jsonl.zst corpora/bookcorpus-sample.txt.gz \
  --hooks resid_post:6,18 --max-tokens 16384 --threads "$threads" --out "$out/features"

step "train a BAE per layer"
$bae train --features "$out/features" --hook resid_post:6,18 --arch bae --binarization sigmoid \
  --normalize sqrt-d --lr 1e-2 --batch-size 256 --epochs 10 --covariance-weight 1e-4 \
  --threads "$threads" --out "$out/bae" | tee "$out/train.txt"

for layer in 6 18; do
  step "evaluate the layer-$layer BAE (downstream loss on 2,048 tokens)"
  $bae eval "$out/bae/blocks.$layer.hook_resid_post" --features "$out/features" \
    --corpus corpora/pile-sample.jsonl.zst --max-tokens 2048 --threads "$threads" \
    --out "$out/eval-$layer" | tee "$out/eval-$layer.txt"
done

step "ICL entropy trace on SST-2"
$bae icl --task sst2 --k 0,1,2,4,8 --prompts 64 --layers 0,10,20,29 --seeds 2 \
  --threads "$threads" --out "$out/icl" | tee "$out/icl.txt"

elapsed=$((SECONDS - start))
{
  echo "== bae demo summary (default model, $threads threads, $elapsed s)"
  echo
  cat "$out/icl.txt"
  echo
  cat "$out/train.txt"
  for layer in 6 18; do
    echo
    echo "layer $layer:"
    cat "$out/eval-$layer.txt"
  done
  echo
  echo "files: $out/icl/trace.{csv,json,svg}, $out/icl/prompts.jsonl, $out/eval-*/eval.json and firing-rates.svg,"
  echo "       $out/bae/*/curves.svg and metrics.jsonl"
} > "$out/summary.txt"
echo
cat "$out/summary.txt"
