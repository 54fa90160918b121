"""Converts the tiny fixture checkpoint Tests/ModelsTests/Resources/tiny-tied-mqa (HF, BF16) to
GGUF the way llama.cpp's converter does (llama.* metadata, blk.N.* names, attn_q/attn_k rows
permuted for llama.cpp's RoPE, no output.weight since embeddings are tied), so the Swift GGUF
model path can be checked against the same transformers goldens. Also writes a copy that claims
architecture 'gemma3' for the unsupported-architecture test.

Run by hand: /path/to/venv/bin/python scripts/make_tiny_gguf.py   (needs gguf, safetensors, numpy)
"""
import json
import sys

try:
    import gguf
    import numpy as np
    from safetensors import safe_open
except ImportError as e:
    sys.exit(f"missing {e.name}: pip install gguf safetensors numpy torch (in a venv)")

SRC = "Tests/ModelsTests/Resources/tiny-tied-mqa"
OUT = "Tests/ModelsTests/Resources/gguf"
config = json.load(open(f"{SRC}/config.json"))
heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]

def permute(w, n_head):
    # HF → llama.cpp row order: view rows as [n_head, 2, rows/n_head/2] and swap the last two.
    rows = w.shape[0]
    return w.reshape(n_head, 2, rows // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

names = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
         "post_attention_layernorm": "ffn_norm", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
         "mlp.down_proj": "ffn_down"}

def write(path, architecture):
    w = gguf.GGUFWriter(path, architecture)
    w.add_name("tiny-tied-mqa")
    w.add_block_count(config["num_hidden_layers"])
    w.add_context_length(config["max_position_embeddings"])
    w.add_embedding_length(config["hidden_size"])
    w.add_feed_forward_length(config["intermediate_size"])
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(config["rope_theta"])
    w.add_layer_norm_rms_eps(config["rms_norm_eps"])
    w.add_rope_dimension_count(config["head_dim"])
    with safe_open(f"{SRC}/model.safetensors", "pt") as f:
        for name in sorted(f.keys()):
            t = f.get_tensor(name).float().numpy()
            if name == "model.embed_tokens.weight":
                out = "token_embd.weight"
            elif name == "model.norm.weight":
                out = "output_norm.weight"
            else:
                parts = name.split(".")
                layer = parts[2]
                key = ".".join(parts[3:-1])
                out = f"blk.{layer}.{names[key]}.weight"
                if key == "self_attn.q_proj":
                    t = permute(t, heads)
                if key == "self_attn.k_proj":
                    t = permute(t, kv_heads)
            # BF16 → F32 is exact; F16 storage would round, so keep F32.
            w.add_tensor(out, np.ascontiguousarray(t, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(path)

write(f"{OUT}/tiny-tied-mqa.gguf", "llama")
write(f"{OUT}/tiny-gemma3.gguf", "gemma3")
