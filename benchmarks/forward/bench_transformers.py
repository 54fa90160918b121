"""transformers' LlamaForCausalLM forward on CPU with output_hidden_states=True, without the LM
head (model.model, like `bae bench` with resid_post hooks), in float32 or bfloat16 (`--precision bf16`:
the model converted with `.to(torch.bfloat16)`, so weights and activations are bf16). Prints one JSON line."""
import argparse
import json
import sys
import time

try:
    import torch
    from transformers import AutoModelForCausalLM
except ImportError:
    sys.exit("needs: pip install 'torch==2.13.0+cpu' transformers safetensors (in a venv)")

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("--sequence-length", type=int, default=512)
p.add_argument("--batch", type=int, default=1)
p.add_argument("--iterations", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--gguf", default=None, help="load this GGUF file inside MODEL (a directory)")
p.add_argument("--precision", choices=["f32", "bf16"], default="f32")
a = p.parse_args()
torch.set_num_threads(a.threads)
kwargs = {"gguf_file": a.gguf} if a.gguf else {}
model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32, attn_implementation="sdpa", **kwargs).eval()
if a.precision == "bf16":
    model = model.to(torch.bfloat16)
ids = torch.randint(0, model.config.vocab_size, (a.batch, a.sequence_length))
best = float("inf")
with torch.inference_mode():
    model.model(input_ids=ids, output_hidden_states=True)
    for _ in range(a.iterations):
        start = time.perf_counter()
        out = model.model(input_ids=ids, output_hidden_states=True)
        best = min(best, time.perf_counter() - start)
tokens = a.batch * a.sequence_length
print(json.dumps({"engine": "transformers", "tokens": tokens, "seconds": round(best, 4),
                  "tokens_per_second": round(tokens / best, 1), "threads": a.threads, "precision": a.precision,
                  "hidden_states": len(out.hidden_states), "torch": torch.__version__}))
