"""Makes Tests/ModelsTests/Resources/tiny-extract: a tiny random Llama (2 layers, d=32, tied
embeddings) with a 320-token byte-level BPE tokenizer.json trained on corpora/README.md, so
`bae extract` can be tested end to end on real text without the default model. The extraction
tests compare shards against bae's own forward pass on the same tokens (the forward pass itself
is checked against transformers by the golden fixtures of make_fixtures.py).

Run by hand: /path/to/venv/bin/python scripts/make_extract_fixture.py
Needs: pip install 'torch==2.13.0+cpu' transformers tokenizers safetensors
"""
import os
import sys

try:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM
except ImportError as e:
    sys.exit(f"missing {e.name}: pip install 'torch==2.13.0+cpu' transformers tokenizers safetensors (in a venv)")

OUT = "Tests/ModelsTests/Resources/tiny-extract"
os.makedirs(OUT, exist_ok=True)
text = open("corpora/README.md").read().splitlines() * 3
tokenizer = Tokenizer(models.BPE())
tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
tokenizer.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(
    vocab_size=320, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=["<|endoftext|>"])
tokenizer.train_from_iterator(text, trainer)
tokenizer.save(f"{OUT}/tokenizer.json")

torch.manual_seed(7)
config = LlamaConfig(
    hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    vocab_size=tokenizer.get_vocab_size(), rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True,
    max_position_embeddings=512, bos_token_id=0, eos_token_id=0)
model = LlamaForCausalLM(config).float()
with torch.no_grad():
    for p in model.parameters():
        p.normal_(0, 0.2)
model.save_pretrained(OUT, safe_serialization=True)
if os.path.exists(f"{OUT}/generation_config.json"):
    os.remove(f"{OUT}/generation_config.json")
print(OUT, sorted(os.listdir(OUT)))
