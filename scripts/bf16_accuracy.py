#!/usr/bin/env python3
"""Accuracy of bae's bf16 path: per-hook row-wise relative L2 error on the default model.

For a few held-out prompts (below; not used by any fixture), runs

  * `bae forward --precision f32` and `--precision bf16` (resid_post, attn_out and mlp_out of every layer),
  * transformers' LlamaForCausalLM on the same GGUF file and the same token ids, in float32 and
    in bfloat16 (`model.to(torch.bfloat16)`: weights and every activation in bf16),

and prints, per hook site, the mean and the maximum over tokens and layers of the row-wise relative
L2 error ||a - b|| / ||b|| (each token's vector separately, so the attention-sink rows, whose norm
is ~150x the others, do not hide errors on ordinary tokens) for:

  bae bf16 vs bae f32        what bae's bf16 path costs
  torch bf16 vs torch f32    what transformers' bf16 costs
  bae bf16 vs torch bf16     the two bf16 engines against each other
  bae f32 vs torch f32       sanity: the f32 engines agree (~1e-5)

Run from the repository root after `swift build -c release`, with the Python of a venv holding
torch, transformers, gguf, safetensors and numpy:

    /path/to/venv/bin/python scripts/bf16_accuracy.py [--json out/bf16-accuracy.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from safetensors.numpy import load_file
    from transformers import AutoModelForCausalLM
except ImportError:
    sys.exit("needs: pip install 'torch==2.13.0+cpu' transformers safetensors gguf accelerate numpy (in a venv)")

MODEL_DIR = "models/smollm2-135m-instruct"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
PROMPTS = [
    "The lighthouse keeper counted the ships every evening, writing their names in a ledger that "
    "nobody else had read for forty years. One night a vessel appeared that was not on any chart.",
    "def merge_sorted(a, b):\n    out = []\n    i = j = 0\n    while i < len(a) and j < len(b):\n"
    "        if a[i] <= b[j]:\n            out.append(a[i]); i += 1\n",
    "Question: A train leaves at 3:40 pm and the trip takes 2 hours 35 minutes. When does it "
    "arrive? Answer: It arrives at 6:15 pm because",
    "<|im_start|>user\nGive me three tips for keeping basil alive indoors.<|im_end|>\n<|im_start|>assistant\n",
]
SITES = ["resid_post", "attn_out", "mlp_out"]


def row_errors(a, b):
    diff = np.linalg.norm(a.astype(np.float64) - b.astype(np.float64), axis=-1)
    norm = np.maximum(np.linalg.norm(b.astype(np.float64), axis=-1), 1e-30)
    return diff / norm


def run_bae(bae, prompt, precision, threads, directory):
    path = os.path.join(directory, "prompt.txt")
    with open(path, "w") as f:
        f.write(prompt)
    out = os.path.join(directory, precision)
    hooks = ",".join(f"{s}:all" for s in SITES)
    subprocess.run([bae, "forward", "--model", os.path.join(MODEL_DIR, GGUF), "--file", path, "--hooks", hooks,
                    "--precision", precision, "--threads", str(threads), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    return load_file(os.path.join(out, "activations.safetensors"))


def run_torch(model, ids):
    """{hook name: [tokens, d] float32} for every layer's resid_post, attn_out and mlp_out."""
    captured = {}
    handles = []
    for l, layer in enumerate(model.model.layers):
        def attn_hook(_m, _inp, out, l=l):
            captured[f"blocks.{l}.hook_attn_out"] = out[0][0].float().numpy()
        def mlp_hook(_m, _inp, out, l=l):
            captured[f"blocks.{l}.hook_mlp_out"] = out[0].float().numpy()
        def block_hook(_m, _inp, out, l=l):
            hidden = out[0] if isinstance(out, tuple) else out
            captured[f"blocks.{l}.hook_resid_post"] = hidden[0].float().numpy()
        handles += [layer.self_attn.register_forward_hook(attn_hook), layer.mlp.register_forward_hook(mlp_hook),
                    layer.register_forward_hook(block_hook)]
    with torch.inference_mode():
        model.model(input_ids=torch.tensor([ids]))
    for h in handles:
        h.remove()
    return captured


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bae", default=".build/release/bae")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", default=None, help="also write the table to this file")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    f32 = AutoModelForCausalLM.from_pretrained(MODEL_DIR, gguf_file=GGUF, dtype=torch.float32,
                                               attn_implementation="eager").eval()
    bf16 = AutoModelForCausalLM.from_pretrained(MODEL_DIR, gguf_file=GGUF, dtype=torch.float32,
                                                attn_implementation="eager").eval().to(torch.bfloat16)
    pairs = {"bae bf16 vs bae f32": [], "torch bf16 vs torch f32": [], "bae bf16 vs torch bf16": [],
             "bae f32 vs torch f32": []}
    errors = {pair: {s: [] for s in SITES} for pair in pairs}
    tokens = 0
    with tempfile.TemporaryDirectory() as tmp:
        for prompt in PROMPTS:
            ours32 = run_bae(a.bae, prompt, "f32", a.threads, tmp)
            ours16 = run_bae(a.bae, prompt, "bf16", a.threads, tmp)
            ids = ours32["token_ids"].tolist()
            tokens += len(ids)
            ref32 = run_torch(f32, ids)
            ref16 = run_torch(bf16, ids)
            for name in ref32:
                site = name.split("hook_")[1]
                for pair, (x, y) in {"bae bf16 vs bae f32": (ours16, ours32), "torch bf16 vs torch f32": (ref16, ref32),
                                     "bae bf16 vs torch bf16": (ours16, ref16),
                                     "bae f32 vs torch f32": (ours32, ref32)}.items():
                    errors[pair][site].append(row_errors(x[name], y[name]))
    table = {}
    print(f"row-wise relative L2 error over {len(PROMPTS)} prompts, {tokens} tokens, 30 layers "
          f"(mean / max over tokens and layers)")
    print(f"{'':26}" + "".join(f"{s:>22}" for s in SITES))
    for pair in pairs:
        table[pair] = {}
        cells = []
        for s in SITES:
            e = np.concatenate(errors[pair][s])
            table[pair][s] = {"mean": float(e.mean()), "max": float(e.max())}
            cells.append(f"{e.mean():.2e} / {e.max():.2e}")
        print(f"{pair:26}" + "".join(f"{c:>22}" for c in cells))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"prompts": len(PROMPTS), "tokens": tokens, "errors": table}, f, indent=1)


if __name__ == "__main__":
    main()
