#!/usr/bin/env python3
"""Run an autoencoder exported by `bae export` (a SAELens folder) with numpy alone, and read the
files `bae encode` and `bae compress` write.

    python scripts/sae_from_bae.py EXPORT_DIR                                  # random inputs
    python scripts/sae_from_bae.py EXPORT_DIR --features FEATURES_DIR          # the first shard's rows
    python scripts/sae_from_bae.py --codes CODES_DIR                           # summary of `bae encode` output
    python scripts/sae_from_bae.py --compressed FILE.safetensors               # summary of `bae compress` output

Needs numpy and safetensors (pip install numpy safetensors); torch is not needed.

The folder holds cfg.json and sae_weights.safetensors: W_enc [d_in, d_sae], b_enc [d_sae],
W_dec [d_sae, d_in], b_dec [d_in] (and threshold [d_sae] for jumprelu). bae writes
apply_b_dec_to_input false: its encoders do not subtract b_dec. The functions, as bae runs them:

    z = x @ W_enc + b_enc
    bae        codes = (z > 0)                       x_hat = act(codes @ W_dec + b_dec)   act = cfg["output_activation"]
    standard   codes = max(z, 0)                     x_hat = codes @ W_dec + b_dec        (ReLU SAEs, transcoders)
    topk       codes = z where z >= k-th largest     x_hat = codes @ W_dec + b_dec        (ties kept, values as they are)
    jumprelu   codes = z * (z > threshold)           x_hat = codes @ W_dec + b_dec

SAELens loads standard, topk and jumprelu folders with SAE.load_from_disk(EXPORT_DIR); its TopK
also applies a ReLU to the kept values, which changes nothing while the k-th largest
pre-activation is positive. For "bae" it needs a class registered with
sae_lens.register_sae_class("bae", ...) whose encode/decode are the two lines above.
"""
import argparse
import json
import os
import sys

import numpy as np
from safetensors.numpy import load_file


def load(folder):
    """cfg.json as a dict and the weights as float32 numpy arrays."""
    with open(os.path.join(folder, "cfg.json")) as f:
        cfg = json.load(f)
    weights = {k: v.astype(np.float32) for k, v in load_file(os.path.join(folder, "sae_weights.safetensors")).items()}
    return cfg, weights


def encode(cfg, w, x):
    """Codes [n, d_sae] of inputs x [n, d_in]: bits (0/1) for a BAE, activations for the SAEs."""
    if cfg.get("apply_b_dec_to_input", True):  # SAELens's default; bae writes false
        x = x - w["b_dec"]
    z = x @ w["W_enc"] + w["b_enc"]
    architecture = cfg["architecture"]
    if architecture == "bae":
        return (z > 0).astype(np.float32)
    if architecture == "standard":
        return np.maximum(z, 0)
    if architecture == "jumprelu":
        return z * (z > w["threshold"])
    if architecture == "topk":
        k = cfg["k"]
        kth = -np.partition(-z, k - 1, axis=1)[:, k - 1 : k]
        return np.where(z >= kth, z, 0)
    raise ValueError(f"architecture {architecture} is not one bae exports")


def decode(cfg, w, codes):
    """Reconstructions [n, d_in] of codes [n, d_sae]."""
    out = codes @ w["W_dec"] + w["b_dec"]
    activation = cfg.get("output_activation", "none") if cfg["architecture"] == "bae" else "none"
    if activation == "sigmoid":
        out = 1 / (1 + np.exp(-out))
    elif activation == "tanh":
        out = np.tanh(out)
    elif activation == "relu":
        out = np.maximum(out, 0)
    return out


def read_codes(codes_dir):
    """Yields (codes [n, m] float32, token_ids [n]) per shard of a `bae encode` directory."""
    with open(os.path.join(codes_dir, "codes.json")) as f:
        manifest = json.load(f)
    m = manifest["code_width"]
    for shard in manifest["shards"]:
        t = load_file(os.path.join(codes_dir, shard["name"]))
        n = shard["rows"]
        if manifest["storage"] == "bits":
            # bit j of a row is bit j % 8 of byte j // 8, least significant bit first
            codes = np.unpackbits(t["codes"], axis=1, count=m, bitorder="little").astype(np.float32)
        else:
            # CSR: row r's entries are indices/values[row_offsets[r]:row_offsets[r + 1]]
            codes = np.zeros((n, m), dtype=np.float32)
            rows = np.repeat(np.arange(n), np.diff(t["row_offsets"]))
            codes[rows, t["indices"]] = t["values"]
        yield codes, t["token_ids"]


def read_compressed(path):
    """The codes [n, m] of a `bae compress` file: the majority code with each row's indices flipped."""
    t = load_file(path)
    offsets, indices = t["row_offsets"], t["indices"]
    n = len(offsets) - 1
    codes = np.tile(t["majority"].astype(np.uint8), (n, 1))
    rows = np.repeat(np.arange(n), np.diff(offsets))
    codes[rows, indices] ^= 1
    return codes.astype(np.float32), t["mean"]


def first_shard_rows(features_dir, hook):
    """The rows of `hook` in the first shard of a `bae extract` feature set (safetensors shards)."""
    with open(os.path.join(features_dir, "manifest.json")) as f:
        manifest = json.load(f)
    shard = load_file(os.path.join(features_dir, manifest["shards"][0]["name"] + ".safetensors"))
    return shard[hook].astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export_dir", nargs="?", help="folder written by bae export")
    parser.add_argument("--features", help="feature-set directory (bae extract) to take inputs from")
    parser.add_argument("--codes", help="directory written by bae encode")
    parser.add_argument("--compressed", help="file written by bae compress")
    args = parser.parse_args()

    if args.codes:
        n = ones = 0
        for codes, _ in read_codes(args.codes):
            n += len(codes)
            ones += int((codes != 0).sum())
        print(f"{n} rows, {ones / max(n, 1):.2f} non-zero codes per row")
    if args.compressed:
        codes, mean = read_compressed(args.compressed)
        p = mean.astype(np.float64)
        h = -(p * np.log2(np.where(p > 0, p, 1)) + (1 - p) * np.log2(np.where(p < 1, 1 - p, 1)))
        size = os.path.getsize(args.compressed)
        print(f"{len(codes)} rows of {codes.shape[1]} bits; {size * 8 / max(len(codes), 1):.2f} bits/token on disk; "
              f"sum_j H_b(p_j) = {h.sum():.2f} bits (p of the stored mean)")
    if not args.export_dir:
        if not (args.codes or args.compressed):
            parser.error("give an export folder, --codes or --compressed")
        return

    cfg, w = load(args.export_dir)
    if args.features:
        hook = cfg.get("metadata", {}).get("hook_name") or cfg.get("hook_name")
        x = first_shard_rows(args.features, hook)
    else:
        x = np.random.default_rng(0).standard_normal((256, cfg["d_in"])).astype(np.float32)
    codes = encode(cfg, w, x)
    x_hat = decode(cfg, w, codes)
    mse = float(((x - x_hat) ** 2).mean())
    explained = 1 - float(((x - x_hat) ** 2).sum() / ((x - x.mean(0)) ** 2).sum())
    l0 = float((codes != 0).sum(1).mean())
    print(f"{cfg['architecture']}: {len(x)} rows, L0 {l0:.1f} of {cfg['d_sae']}, MSE {mse:.6g}, explained variance {explained:.4f}")


if __name__ == "__main__":
    sys.exit(main())
