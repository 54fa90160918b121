"""Writes the generated fuzz seeds under Tests/Fuzz/<harness>/seeds (run by hand, from the repo root).

    /path/to/venv/bin/python scripts/make_fuzz_seeds.py

Needs numpy, safetensors and gguf. The other seeds are copies of committed fixtures
(config.json files of Tests/ModelsTests/Resources, Tests/CheckpointsTests/Resources/gguf/fixture.gguf)
or written by hand (jsonl, csv, manifest). Seeds stay small: libFuzzer mutates them byte by byte.
"""
import json

import gguf
import numpy as np
from safetensors.numpy import save_file

root = "Tests/Fuzz"

save_file(
    {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": np.ones(4, dtype=np.float16),
        "ids": np.array([1, 2, 3], dtype=np.int64),
    },
    f"{root}/safetensors/seeds/small.safetensors",
    metadata={"format": "pt"},
)
save_file(
    {"e": np.zeros((0,), dtype=np.float32), "w": np.ones((2, 2), dtype=np.int32)},
    f"{root}/safetensors/seeds/int-and-empty.safetensors",
)

# A feature-set shard as the `shard` harness's manifest describes it: 4 rows of one 8-wide F32
# hook and the index arrays; and the same file cut after 100 bytes.
shard = {
    "blocks.0.hook_resid_post": np.arange(32, dtype=np.float32).reshape(4, 8),
    "token_ids": np.array([1, 2, 3, 4], dtype=np.int32),
    "doc_index": np.array([0, 0, 1, 1], dtype=np.int64),
    "position": np.array([0, 1, 0, 1], dtype=np.int32),
}
save_file(shard, f"{root}/shard/seeds/four-rows.safetensors", metadata={"format": "bae-features"})
with open(f"{root}/shard/seeds/four-rows.safetensors", "rb") as f:
    cut = f.read()[:100]
with open(f"{root}/shard/seeds/truncated.safetensors", "wb") as f:
    f.write(cut)

# A one-block llama with a byte-level BPE tokenizer in its metadata.
w = gguf.GGUFWriter(f"{root}/gguf/seeds/tiny-llama.gguf", "llama")
w.add_block_count(1)
w.add_embedding_length(8)
w.add_feed_forward_length(16)
w.add_head_count(2)
w.add_head_count_kv(1)
w.add_context_length(32)
w.add_layer_norm_rms_eps(1e-5)
w.add_rope_freq_base(10000.0)
w.add_tokenizer_model("gpt2")
w.add_tokenizer_pre("smollm")
w.add_token_list(["a", "b", "c", "ab", "Ġ", "<|endoftext|>"])
w.add_token_types([1, 1, 1, 1, 1, 3])
w.add_token_merges(["a b"])
w.add_bos_token_id(5)
w.add_eos_token_id(5)
rng = np.random.default_rng(0)


def tensor(name, shape):
    w.add_tensor(name, rng.standard_normal(shape).astype(np.float32))


tensor("token_embd.weight", (6, 8))
tensor("output_norm.weight", (8,))
for name, shape in [
    ("attn_norm", (8,)), ("attn_q", (8, 8)), ("attn_k", (4, 8)), ("attn_v", (4, 8)), ("attn_output", (8, 8)),
    ("ffn_norm", (8,)), ("ffn_gate", (16, 8)), ("ffn_up", (16, 8)), ("ffn_down", (8, 16)),
]:
    tensor(f"blk.0.{name}.weight", shape)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()

byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
tokenizer = {
    "version": "1.0",
    "added_tokens": [
        {"id": 5, "content": "<|endoftext|>", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
    ],
    "normalizer": None,
    "pre_tokenizer": byte_level,
    "post_processor": None,
    "decoder": byte_level,
    "model": {
        "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
        "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
        "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "Ġ": 4, "<|endoftext|>": 5}, "merges": ["a b"],
    },
}
json.dump(tokenizer, open(f"{root}/tokenizer-json/seeds/tiny.json", "w"))
tokenizer["pre_tokenizer"] = {
    "type": "Sequence",
    "pretokenizers": [{"type": "Digits", "individual_digits": True}, byte_level],
}
tokenizer["post_processor"] = {
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [],
    "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [5], "tokens": ["<|endoftext|>"]}},
}
tokenizer["model"]["merges"] = [["a", "b"]]
json.dump(tokenizer, open(f"{root}/tokenizer-json/seeds/digits-template.json", "w"))
