"""Writes a randomly initialised Llama checkpoint of a real model's shape (default: SmolLM2-135M:
30 layers, d=576, 9 heads, 3 KV heads, ffn 1536, vocab 49152, tied embeddings) in F32, for
benchmarks/forward/run.sh. Needs torch + transformers (see scripts/README.md)."""
import argparse
import sys

try:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
except ImportError:
    sys.exit("needs: pip install 'torch==2.13.0+cpu' transformers safetensors (in a venv)")

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--layers", type=int, default=30)
p.add_argument("--hidden", type=int, default=576)
p.add_argument("--heads", type=int, default=9)
p.add_argument("--kv-heads", type=int, default=3)
p.add_argument("--ffn", type=int, default=1536)
p.add_argument("--vocab", type=int, default=49152)
a = p.parse_args()
torch.manual_seed(0)
config = LlamaConfig(
    hidden_size=a.hidden, intermediate_size=a.ffn, num_hidden_layers=a.layers,
    num_attention_heads=a.heads, num_key_value_heads=a.kv_heads, vocab_size=a.vocab,
    rms_norm_eps=1e-5, rope_theta=100000.0, tie_word_embeddings=True, max_position_embeddings=8192)
model = LlamaForCausalLM(config).float().eval()
model.save_pretrained(a.out, safe_serialization=True)
print(a.out)
