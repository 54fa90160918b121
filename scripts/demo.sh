#!/usr/bin/env bash
# The main job, end to end on the default model (SmolLM2-135M-Instruct):
#   1. describe the model;  2. record every hook of one prompt;
#   3. stream 10,000 tokens of the shipped Pile sample into a feature set;  4. summarise it.
set -euo pipefail
cd "$(dirname "$0")/.."
bae=.build/release/bae
$bae inspect
$bae forward --text "Once upon a time, there was a little dog named Max. He liked to" \
  --hooks resid_pre:all,resid_post:all,mlp_in:all,ln_final.hook_normalized --out out/demo/forward
rm -rf out/demo/features
$bae extract --corpus corpora/pile-sample.jsonl.zst --hooks resid_post:6,12,18 \
  --max-tokens 10000 --out out/demo/features
$bae features info out/demo/features
