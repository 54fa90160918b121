"""Reads a `bae extract` feature set with numpy/safetensors and, optionally, writes the
list-of-vectors pickle the original BAE code (hc495/Binary_Autoencoder, --feature_path) reads.

    python scripts/features_to_pkl.py FEATURES_DIR                       # summary
    python scripts/features_to_pkl.py FEATURES_DIR --hook blocks.12.hook_resid_post --pkl out.pkl
    python scripts/features_to_pkl.py FEATURES_DIR --layered --pkl layered.pkl   # one list per hook

Needs numpy, plus safetensors for .safetensors shards (pip install numpy safetensors).
A shard can also be loaded directly:
    from safetensors.numpy import load_file
    shard = load_file("FEATURES/shard-00000.safetensors")   # {"blocks.12.hook_resid_post": (n, d), "token_ids": (n,), ...}
    np.load("FEATURES/shard-00000/blocks.12.hook_resid_post.npy")   # with --format npy
"""
import argparse
import json
import os
import pickle
import sys

import numpy as np


def load_hook(directory, manifest, hook):
    """All rows of one hook, concatenated over shards, as float32 [N, d]."""
    parts = []
    for shard in manifest["shards"]:
        if manifest["options"]["fileFormat"] == "npy":
            parts.append(np.load(os.path.join(directory, shard["name"], hook + ".npy")).astype(np.float32))
        else:
            from safetensors import safe_open
            with safe_open(os.path.join(directory, shard["files"][0]["path"]), "np") as f:
                parts.append(f.get_tensor(hook).astype(np.float32))
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("directory")
    p.add_argument("--hook", help="hook to export (default: the first)")
    p.add_argument("--layered", action="store_true", help="export every hook: a list of per-hook lists")
    p.add_argument("--pkl", help="write the pickle here")
    a = p.parse_args()
    manifest = json.load(open(os.path.join(a.directory, "manifest.json")))
    hooks = [h["name"] for h in manifest["hooks"]]
    print(f"{manifest['totalTokens']} tokens in {len(manifest['shards'])} shards; hooks: {', '.join(hooks)}")
    if not a.pkl:
        return
    if a.layered:
        data = [list(load_hook(a.directory, manifest, h)) for h in hooks]
    else:
        hook = a.hook or hooks[0]
        if hook not in hooks:
            sys.exit(f"unknown hook {hook}; the feature set has {', '.join(hooks)}")
        data = list(load_hook(a.directory, manifest, hook))
    with open(a.pkl + ".partial", "wb") as f:
        pickle.dump(data, f, protocol=4)
    os.replace(a.pkl + ".partial", a.pkl)
    print(f"wrote {a.pkl}")


if __name__ == "__main__":
    main()
