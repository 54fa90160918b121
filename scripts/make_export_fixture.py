#!/usr/bin/env python3
"""Make the golden codes and reconstructions that the Swift export tests compare `bae` against.

Run by hand from the repository root, in a venv with numpy and safetensors (torch not needed):

    python scripts/make_export_fixture.py

Input: the SAELens folders Tests/AutoencodersTests/Resources/export/<name>/ (cfg.json,
sae_weights.safetensors), written by `bae export` from tiny seeded autoencoders (d = 16, m = 64;
regenerate them with `BAE_REGENERATE_FIXTURES=1 swift test --filter ExportGoldenTests`):
bae, bae-sigmoid (output activation sigmoid, no decoder bias), relu, topk (k = 8), jumprelu.

Each folder is run with scripts/sae_from_bae.py's numpy functions, in float64 on the float32
weights, and rounded to float32. The inputs are 8 rows of N(0, 1) from the first seed in
0, 1, 2, ... whose pre-activations all keep a margin of 1e-3 from every decision boundary (z = 0
for the BAE and ReLU, z = threshold for JumpReLU, the k-th/(k+1)-th largest gap for TopK), so
float32 rounding cannot flip a code.

Output: Tests/AutoencodersTests/Resources/export/golden.safetensors
    inputs                  F32 [8, 16]
    codes.<name>            F32 [8, 64]   (0/1 for the BAEs)
    reconstruction.<name>   F32 [8, 16]
    packed.bae              U8  [8, 8]    np.packbits(codes.bae, axis=1, bitorder="little")
    __metadata__            seed, numpy version
Running it again rewrites the same bytes.
"""
import os
import sys

import numpy as np
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sae_from_bae import decode, encode, load  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AutoencodersTests", "Resources", "export")
NAMES = ["bae", "bae-sigmoid", "relu", "topk", "jumprelu"]
MARGIN = 1e-3


def as64(cfg, w):
    return cfg, {k: v.astype(np.float64) for k, v in w.items()}


def margin(cfg, w, x):
    """The smallest distance of a pre-activation from a point where its code changes."""
    z = x @ w["W_enc"] + w["b_enc"]
    architecture = cfg["architecture"]
    if architecture in ("bae", "standard"):
        return np.abs(z).min()
    if architecture == "jumprelu":
        return np.abs(z - w["threshold"]).min()
    k = cfg["k"]
    ordered = -np.sort(-z, axis=1)
    return (ordered[:, k - 1] - ordered[:, k]).min()


def main():
    models = {name: as64(*load(os.path.join(ROOT, name))) for name in NAMES}
    for seed in range(1000):
        x = np.random.default_rng(seed).standard_normal((8, 16)).astype(np.float32)
        if all(margin(cfg, w, x.astype(np.float64)) > MARGIN for cfg, w in models.values()):
            break
    else:
        raise SystemExit("no seed below 1000 keeps every pre-activation away from a boundary")

    tensors = {"inputs": x}
    for name, (cfg, w) in models.items():
        codes = encode(cfg, w, x.astype(np.float64))
        tensors[f"codes.{name}"] = codes.astype(np.float32)
        tensors[f"reconstruction.{name}"] = decode(cfg, w, codes).astype(np.float32)
    tensors["packed.bae"] = np.packbits(tensors["codes.bae"].astype(np.uint8), axis=1, bitorder="little")
    # The bit order bae documents: bit j of a row is bit j % 8 of byte j // 8.
    assert (np.unpackbits(tensors["packed.bae"], axis=1, count=64, bitorder="little") == tensors["codes.bae"]).all()
    out = os.path.join(ROOT, "golden.safetensors")
    save_file(tensors, out, metadata={"seed": str(seed), "numpy": np.__version__})
    print(f"wrote {os.path.normpath(out)} (seed {seed})")


if __name__ == "__main__":
    main()
