#!/usr/bin/env python3
"""Make the generation golden that `bae`'s own engine is tested against.

Run by hand from the repository root, with the Python of a venv that has
torch, transformers (5.x), gguf and accelerate:

    python scripts/make_generation_golden.py [path/to/SmolLM2-135M-Instruct.Q4_1.gguf]

transformers loads the default model's GGUF itself (`gguf_file=`), dequantizing the Q4_1 /
Q8_0 tensors to float32 exactly as bae does, and its tokenizer (with the GGUF's
`tokenizer.chat_template`).

Output: Tests/GenerationTests/Resources/smollm2-generation.json
  continuations: for each prompt (plain text, or a conversation rendered with the chat
    template and `add_generation_prompt=True`): the prompt's ids, the greedy continuation's
    ids (`generate(do_sample=False, max_new_tokens=24)`, stop token included), its decoded
    text, and the smallest gap between the best and second-best logit over the steps (a
    near-tie there could flip a greedy token between two correct float32 engines).
  templates: conversations and `apply_chat_template(..., tokenize=False,
    add_generation_prompt=...)` strings.
Deterministic: rerunning writes the same file.
"""
import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MAX_NEW_TOKENS = 24
ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
OUT = ROOT / "Tests/GenerationTests/Resources/smollm2-generation.json"

PROMPTS = [
    {"name": "story", "text": "Once upon a time, there was a little dog named Max. He liked to"},
    {"name": "capital", "text": "The capital of France is"},
    {"name": "chat-no-system", "messages": [{"role": "user", "content": "What is the capital of France?"}]},
    {
        "name": "chat-system",
        "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": "Name three colors."},
        ],
    },
]

CONVERSATIONS = [
    {"name": "user-only", "generation_prompt": True, "messages": [{"role": "user", "content": "Hello!"}]},
    {
        "name": "with-system",
        "generation_prompt": True,
        "messages": [
            {"role": "system", "content": "Answer with one word."},
            {"role": "user", "content": "Is the sky blue?"},
        ],
    },
    {
        "name": "multi-turn",
        "generation_prompt": True,
        "messages": [
            {"role": "user", "content": "What is 2+2?"},
            {"role": "assistant", "content": "4"},
            {"role": "user", "content": "And 3+3?\nExplain briefly."},
        ],
    },
    {
        "name": "no-generation-prompt",
        "generation_prompt": False,
        "messages": [
            {"role": "system", "content": "Be kind."},
            {"role": "user", "content": "Héllo, wörld — ünïcode ✓"},
            {"role": "assistant", "content": "Hi there."},
        ],
    },
]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        sys.exit(f"{path} not found: run scripts/fetch_model.sh first")
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    model.eval()

    continuations = []
    for prompt in PROMPTS:
        if "messages" in prompt:
            text = tokenizer.apply_chat_template(prompt["messages"], tokenize=False, add_generation_prompt=True)
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        else:
            text = prompt["text"]
            ids = tokenizer(text)["input_ids"]
        with torch.no_grad():
            out = model.generate(
                torch.tensor([ids]), max_new_tokens=MAX_NEW_TOKENS, do_sample=False, output_scores=True,
                return_dict_in_generate=True, pad_token_id=tokenizer.eos_token_id)
        new = out.sequences[0, len(ids):].tolist()
        gaps = []
        for scores in out.scores:
            top = torch.topk(scores[0].float(), 2).values
            gaps.append(float(top[0] - top[1]))
        continuations.append({
            **prompt,
            "prompt": text,
            "prompt_ids": ids,
            "generated_ids": new,
            "generated_text": tokenizer.decode(new, skip_special_tokens=True),
            "logit_gaps": [round(g, 5) for g in gaps],
            "min_logit_gap": round(min(gaps), 5),
        })
        print(f"{prompt['name']}: {len(ids)} prompt ids, {len(new)} new, min gap {min(gaps):.4f}: "
              f"{tokenizer.decode(new)!r}")

    templates = []
    for conv in CONVERSATIONS:
        rendered = tokenizer.apply_chat_template(
            conv["messages"], tokenize=False, add_generation_prompt=conv["generation_prompt"])
        templates.append({**conv, "rendered": rendered})

    golden = {
        "model": path.name,
        "max_new_tokens": MAX_NEW_TOKENS,
        "eos_token_id": tokenizer.eos_token_id,
        "chat_template": tokenizer.chat_template,
        "continuations": continuations,
        "templates": templates,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
