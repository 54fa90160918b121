"""Golden activations of the real default model, SmolLM2-135M-Instruct (Q4_1 GGUF), from
transformers, for Tests/ModelsTests/SmolLM2ParityTests.swift.

Run by hand from the repo root after `bash scripts/fetch_model.sh`:
    /path/to/venv/bin/python scripts/make_smollm2_fixtures.py
Needs: pip install 'torch==2.13.0+cpu' transformers safetensors gguf accelerate numpy

transformers dequantizes the GGUF with gguf-py (the same values bae computes) and runs the
model in float32 with eager attention. Writes Tests/ModelsTests/Resources/smollm2/golden.safetensors:
  s{i}.token_ids                        int32 [n]   (transformers' tokenizer, no BOS added)
  s{i}.blocks.{L}.hook_resid_pre        f32 [n, 576]   for L in LAYERS
  s{i}.blocks.{L}.ln2.hook_normalized   f32 [n, 576]   (post_attention_layernorm output)
  s{i}.ln_final.hook_normalized         f32 [n, 576]
"""
import os
import sys

try:
    import numpy as np
    import torch
    from safetensors.numpy import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer
    import transformers
except ImportError as e:
    sys.exit(f"missing {e.name}: pip install 'torch==2.13.0+cpu' transformers safetensors gguf accelerate numpy (in a venv)")

MODEL_DIR = "models/smollm2-135m-instruct"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
OUT = "Tests/ModelsTests/Resources/smollm2/golden.safetensors"
LAYERS = [0, 14, 29]
SENTENCES = [
    "Once upon a time, there was a little dog named Max. He liked to",
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
    "The mitochondria is the powerhouse of the cell; ATP synthase turns a proton gradient into 3 molecules.",
    "def add(a, b):\n    return a + b  # 12345",
]

if not os.path.exists(os.path.join(MODEL_DIR, GGUF)):
    sys.exit(f"{MODEL_DIR}/{GGUF} is missing: run bash scripts/fetch_model.sh first")

torch.manual_seed(0)
tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR, gguf_file=GGUF)
model = AutoModelForCausalLM.from_pretrained(
    MODEL_DIR, gguf_file=GGUF, dtype=torch.float32, attn_implementation="eager").eval()

captured = {}
def save_output(name):
    def hook(module, args, output):
        captured[name] = (output[0] if isinstance(output, tuple) else output)[0].detach().clone()
    return hook
for L in LAYERS:
    model.model.layers[L].post_attention_layernorm.register_forward_hook(save_output(f"blocks.{L}.ln2.hook_normalized"))

tensors = {}
for i, text in enumerate(SENTENCES):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    captured.clear()
    with torch.no_grad():
        out = model.model(input_ids=torch.tensor([ids]), output_hidden_states=True)
    tensors[f"s{i}.token_ids"] = np.asarray(ids, dtype=np.int32)
    for L in LAYERS:
        tensors[f"s{i}.blocks.{L}.hook_resid_pre"] = out.hidden_states[L][0].numpy().astype(np.float32)
        tensors[f"s{i}.blocks.{L}.ln2.hook_normalized"] = captured[f"blocks.{L}.ln2.hook_normalized"].numpy().astype(np.float32)
    tensors[f"s{i}.ln_final.hook_normalized"] = out.hidden_states[-1][0].numpy().astype(np.float32)
    print(f"s{i}: {len(ids)} tokens")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
save_file(tensors, OUT, metadata={
    "generator": "scripts/make_smollm2_fixtures.py", "model": GGUF, "sequences": str(len(SENTENCES)),
    "layers": ",".join(map(str, LAYERS)), "transformers": transformers.__version__, "torch": torch.__version__})
print(OUT, os.path.getsize(OUT), "bytes")
