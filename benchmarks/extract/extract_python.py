#!/usr/bin/env python3
"""What a careful Python user writes to extract one layer's residual stream from a corpus: the
same job as `bae extract --hooks resid_post:L --context 256 --batch-tokens 4096 --skip-first 1`.

  * streams the .jsonl.zst with `zstandard` (one JSON object per line, its `text` field),
  * tokenizes with `tokenizers` (the model's fast tokenizer, built by transformers from the GGUF
    file), documents in groups with `encode_batch`,
  * cuts every document into windows of CONTEXT tokens (each its own sequence from position 0),
  * runs batches of BATCH_TOKENS // CONTEXT windows (right-padded, with an attention mask) through
    transformers' Llama with only the first L+1 decoder layers kept and the final norm replaced by
    an identity, reading hidden_states[L+1] (= blocks.L.hook_resid_post),
  * keeps every row except position 0 of each window and the padding, and writes safetensors
    shards (the hook tensor [n, d] f32 and token_ids [n] int32) until MAX_TOKENS rows.

Prints one JSON line: tokens (rows written), seconds, tokens_per_second.
Usage: extract_python.py CORPUS OUT --layer 12 --max-tokens 20000 --threads 2 [--precision f32|bf16]
"""
import argparse
import io
import json
import os
import sys
import time

try:
    import torch
    import zstandard
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer
except ImportError:
    sys.exit("needs: pip install 'torch==2.13.0+cpu' transformers safetensors tokenizers zstandard gguf accelerate")

p = argparse.ArgumentParser()
p.add_argument("corpus")
p.add_argument("out")
p.add_argument("--model-dir", default="models/smollm2-135m-instruct")
p.add_argument("--gguf", default="SmolLM2-135M-Instruct.Q4_1.gguf")
p.add_argument("--layer", type=int, default=12)
p.add_argument("--context", type=int, default=256)
p.add_argument("--batch-tokens", type=int, default=4096)
p.add_argument("--max-tokens", type=int, default=20000)
p.add_argument("--shard-tokens", type=int, default=1 << 17)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--precision", choices=["f32", "bf16"], default="f32")
a = p.parse_args()

start = time.perf_counter()
torch.set_num_threads(a.threads)
tokenizer = AutoTokenizer.from_pretrained(a.model_dir, gguf_file=a.gguf).backend_tokenizer
model = AutoModelForCausalLM.from_pretrained(a.model_dir, gguf_file=a.gguf, dtype=torch.float32,
                                             attn_implementation="sdpa").eval()
model.model.layers = model.model.layers[: a.layer + 1]  # layers after the hook are never run
model.model.norm = torch.nn.Identity()  # hidden_states[-1] is then the raw block output
if a.precision == "bf16":
    model = model.to(torch.bfloat16)
hook = f"blocks.{a.layer}.hook_resid_post"
os.makedirs(a.out, exist_ok=True)


def documents(path):
    with open(path, "rb") as f:
        reader = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(f), encoding="utf-8")
        for line in reader:
            if line.strip():
                yield json.loads(line)["text"]


def windows(path, group=64):
    texts = []
    def flush():
        for enc in tokenizer.encode_batch(texts, add_special_tokens=True):
            ids = enc.ids
            for s in range(0, len(ids), a.context):
                yield ids[s: s + a.context]
    for text in documents(path):
        texts.append(text)
        if len(texts) == group:
            yield from flush()
            texts = []
    if texts:
        yield from flush()


rows, ids_out, written, shard = [], [], 0, 0
def write_shard():
    global rows, ids_out, shard
    if not rows:
        return
    save_file({hook: torch.cat(rows).contiguous(), "token_ids": torch.cat(ids_out).to(torch.int32)},
              os.path.join(a.out, f"shard-{shard:05d}.safetensors"))
    rows, ids_out, shard = [], [], shard + 1


per_batch = max(1, a.batch_tokens // a.context)
batch = []
def run_batch():
    global written
    width = max(len(w) for w in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, w in enumerate(batch):
        ids[i, : len(w)] = torch.tensor(w)
        mask[i, : len(w)] = 1
    with torch.inference_mode():
        hidden = model.model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states[a.layer + 1]
    for i, w in enumerate(batch):
        take = min(len(w) - 1, a.max_tokens - written)
        if take <= 0:
            break
        rows.append(hidden[i, 1: 1 + take].float())
        ids_out.append(ids[i, 1: 1 + take])
        written += take
    if sum(r.shape[0] for r in rows) >= a.shard_tokens:
        write_shard()


for window in windows(a.corpus):
    batch.append(window)
    if len(batch) == per_batch:
        run_batch()
        batch = []
        if written >= a.max_tokens:
            break
if batch and written < a.max_tokens:
    run_batch()
write_shard()
seconds = time.perf_counter() - start
print(json.dumps({"engine": "python", "precision": a.precision, "tokens": written, "seconds": round(seconds, 3),
                  "tokens_per_second": round(written / seconds, 1), "threads": a.threads, "torch": torch.__version__}))
