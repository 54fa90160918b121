#!/usr/bin/env bash
# The main job, end to end on the default model: describe it, then record the residual
# stream of every layer for a prompt into out/demo/activations.safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."
bae=.build/release/bae
$bae inspect
$bae forward --tokens 6403,1980,253,655,28,665,436,253,1838,2767,3365,7625,30,909,16686,288 \
  --hooks resid_post:all,ln_final.hook_normalized --out out/demo
