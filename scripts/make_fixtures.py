#!/usr/bin/env python3
"""Make the golden Llama fixtures that the Swift forward pass is tested against.

Run by hand from the repository root:

    python scripts/make_fixtures.py     # with the Python of a venv that has the packages below

Needs torch, transformers (5.x) and safetensors, e.g. in a venv:

    pip install 'torch==2.13.0+cpu' transformers safetensors

Everything is seeded, so running it again rewrites the same bytes.

Output, under Tests/ModelsTests/Resources/
-----------------------------------------
Three tiny random LlamaForCausalLM checkpoints, each a Hugging Face directory
(config.json + safetensors, exactly what `save_pretrained` writes apart from
the config rewrites noted below):

tiny-llama3-gqa/       3 layers, hidden 64, 4 heads, 2 kv heads (GQA), head_dim 16,
                       intermediate 160, vocab 96, rms_norm_eps 1e-5, rope_theta 1e4,
                       llama3 rope scaling (factor 8, low_freq_factor 1,
                       high_freq_factor 4, original_max_position_embeddings 64),
                       untied, F32, one model.safetensors.
                       config.json in the NEW (transformers 5) style:
                       `rope_parameters` {rope_theta, rope_type, ...} and `dtype`.
tiny-tied-mqa/         2 layers, hidden 64, 4 heads, 1 kv head (MQA), intermediate 128,
                       vocab 96, rms_norm_eps 1e-6, rope_theta 5e5, default rope,
                       tied embeddings (no lm_head.weight in the file), BF16,
                       one model.safetensors.
                       config.json in the OLD style: top-level `rope_theta`,
                       `rope_scaling: null`, `torch_dtype: "bfloat16"`.
tiny-linear-sharded/   2 layers, hidden 48, 4 heads, 2 kv heads, head_dim 16 set
                       explicitly (q_proj is [64, 48]), intermediate 96, vocab 96,
                       rms_norm_eps 1e-5, rope_theta 1e4, linear rope scaling
                       factor 2, untied, F16, sharded into 2 files
                       (model-0000{1,2}-of-00002.safetensors) with
                       model.safetensors.index.json.
                       config.json in the OLD style: top-level `rope_theta`,
                       `rope_scaling: {"rope_type": "linear", "factor": 2.0}`,
                       `torch_dtype: "float16"`.

Initialisation: every Linear / embedding matrix ~ N(0, 0.15^2); every RMSNorm
gain ~ 1 + 0.1 * N(0, 1), so the gains are really exercised.

Golden values: golden/<model-dir-name>.safetensors, one per checkpoint. They
come from the checkpoint as written to disk (config.json as committed, weights
rounded to the stored dtype), loaded back with dtype=float32 and
attn_implementation="eager", run in eval mode under torch.no_grad(), one
sequence at a time (batch 1, no padding, positions 0..n-1).

Sequences (the same token ids for every model): i = 0..4 with lengths
1, 6, 13, 40 (random ids) and 12 (one random id repeated 12 times).
For sequence i, with n = its length, d = hidden size, V = vocab size:

    s{i}.token_ids                          int32   [n]
    s{i}.blocks.{L}.hook_resid_pre          float32 [n, d]  input of decoder layer L
                                                            (= HF hidden_states[L])
    s{i}.blocks.{L}.hook_attn_out           float32 [n, d]  self_attn output (after o_proj)
    s{i}.blocks.{L}.hook_resid_mid          float32 [n, d]  resid_pre + attn_out
    s{i}.blocks.{L}.ln2.hook_normalized     float32 [n, d]  post_attention_layernorm output
                                                            (gain applied)
    s{i}.blocks.{L}.hook_mlp_out            float32 [n, d]  mlp output (after down_proj)
    s{i}.blocks.{L}.hook_resid_post         float32 [n, d]  decoder layer output, before
                                                            any final norm
    s{i}.ln_final.hook_normalized           float32 [n, d]  model.norm output
                                                            (= HF last hidden_states entry)
    s{i}.logits                             float32 [n, V]

File metadata (`__metadata__`): generator, transformers, torch, sequences
(the count, as a string) and model (the directory name).

Checks made here before anything is written (each prints its max abs diff):
resid_mid == resid_pre + attn_out; resid_pre[L] == hidden_states[L];
resid_post[L] == hidden_states[L+1] for L < last; ln_final == hidden_states[-1];
logits == the model's logits; and a right-padded batch of all sequences with an
attention_mask gives the same final hidden states and logits at every valid
position as the single-sequence runs (max abs diff <= 1e-5).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

try:
    import numpy as np
    import torch
    import transformers
    from safetensors import safe_open
    from safetensors.torch import save_file
    from transformers import LlamaConfig, LlamaForCausalLM
except ImportError as error:  # pragma: no cover - environment problem
    sys.exit(
        f"make_fixtures.py: cannot import the Python reference stack ({error}).\n"
        "Install it in a virtual environment and run the script with that Python:\n"
        "    python3 -m venv venv && venv/bin/pip install 'torch==2.13.0+cpu' "
        "transformers safetensors numpy\n"
        "(the +cpu wheel comes from --extra-index-url https://download.pytorch.org/whl/cpu)"
    )

REPO_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = REPO_ROOT / "Tests" / "ModelsTests" / "Resources"
GOLDEN = RESOURCES / "golden"
GENERATOR = "scripts/make_fixtures.py"

SEED = 20240607
MATRIX_STD = 0.15
NORM_GAIN_STD = 0.1
# Tolerance of the in-script sanity checks (float32 throughout).
TOLERANCE = 1e-5

VOCAB = 96
RANDOM_LENGTHS = (1, 6, 13, 40)
REPEAT_LENGTH = 12


# --------------------------------------------------------------------------- models

MODELS = [
    {
        "name": "tiny-llama3-gqa",
        "config": dict(
            vocab_size=VOCAB,
            hidden_size=64,
            intermediate_size=160,
            num_hidden_layers=3,
            num_attention_heads=4,
            num_key_value_heads=2,
            rms_norm_eps=1e-5,
            max_position_embeddings=256,
            tie_word_embeddings=False,
            # original_max_position_embeddings 64 with head_dim 16 and theta 1e4
            # puts the 8 frequencies in all three llama3 bands: wavelength 6.3
            # (< 16, kept), 19.9 and 62.8 (between 16 and 64, smoothed), and
            # 199+ (> 64, divided by the factor).
            rope_parameters={
                "rope_type": "llama3",
                "rope_theta": 10000.0,
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
        ),
        "dtype": torch.float32,
        "config_style": "new",
        "shards": 1,
    },
    {
        "name": "tiny-tied-mqa",
        "config": dict(
            vocab_size=VOCAB,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=1,
            rms_norm_eps=1e-6,
            max_position_embeddings=256,
            tie_word_embeddings=True,
            rope_parameters={"rope_type": "default", "rope_theta": 500000.0},
        ),
        "dtype": torch.bfloat16,
        "config_style": "old",
        "shards": 1,
    },
    {
        "name": "tiny-linear-sharded",
        "config": dict(
            vocab_size=VOCAB,
            hidden_size=48,
            intermediate_size=96,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            rms_norm_eps=1e-5,
            max_position_embeddings=256,
            tie_word_embeddings=False,
            rope_parameters={"rope_type": "linear", "rope_theta": 10000.0, "factor": 2.0},
        ),
        "dtype": torch.float16,
        "config_style": "old",
        # The F16 weights are ~112 KB; 64 KB shards give exactly two files.
        "max_shard_size": "64KB",
        "shards": 2,
    },
]

DTYPE_NAMES = {torch.float32: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}


def initialise(model: LlamaForCausalLM, generator: torch.Generator) -> None:
    """Overwrite every parameter with seeded values (large enough to matter)."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float32)
            if name.endswith("norm.weight"):
                parameter.copy_(1.0 + NORM_GAIN_STD * noise)
            else:
                parameter.copy_(MATRIX_STD * noise)


def rewrite_config_old_style(path: Path, rope_scaling: dict | None) -> None:
    """Turn a transformers-5 config.json into the older (transformers 4) layout."""
    config = json.loads(path.read_text())
    rope = config.pop("rope_parameters")
    config["rope_theta"] = rope["rope_theta"]
    config["rope_scaling"] = rope_scaling
    config["torch_dtype"] = config.pop("dtype")
    path.write_text(json.dumps(dict(sorted(config.items())), indent=2) + "\n")


def write_checkpoint(spec: dict, generator: torch.Generator) -> Path:
    """Build, initialise and save one checkpoint; return its directory."""
    directory = RESOURCES / spec["name"]
    if directory.exists():
        shutil.rmtree(directory)
    config = LlamaConfig(**spec["config"])
    model = LlamaForCausalLM(config).eval()
    initialise(model, generator)
    model = model.to(spec["dtype"])
    save_kwargs = {}
    if "max_shard_size" in spec:
        save_kwargs["max_shard_size"] = spec["max_shard_size"]
    model.save_pretrained(directory, **save_kwargs)
    # Only config.json and weights belong to the fixture.
    (directory / "generation_config.json").unlink(missing_ok=True)

    if spec["config_style"] == "old":
        rope = dict(spec["config"]["rope_parameters"])
        rope.pop("rope_theta")
        rope_scaling = None if rope["rope_type"] == "default" else rope
        rewrite_config_old_style(directory / "config.json", rope_scaling)

    weight_files = sorted(p.name for p in directory.glob("*.safetensors"))
    assert len(weight_files) == spec["shards"], f"{spec['name']}: {weight_files}"
    if spec["shards"] > 1:
        assert (directory / "model.safetensors.index.json").exists()
    expected_dtype = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}[spec["dtype"]]
    names: set[str] = set()
    for file in weight_files:
        header = read_safetensors_header(directory / file)
        for key, entry in header.items():
            if key == "__metadata__":
                continue
            assert entry["dtype"] == expected_dtype, f"{file}:{key} is {entry['dtype']}"
            names.add(key)
    assert ("lm_head.weight" in names) != spec["config"]["tie_word_embeddings"], names
    return directory


def read_safetensors_header(path: Path) -> dict:
    with open(path, "rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        return json.loads(handle.read(length))


# --------------------------------------------------------------------------- capture


def make_sequences() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(SEED + 1)
    sequences = [torch.randint(0, VOCAB, (n,), generator=generator) for n in RANDOM_LENGTHS]
    token = int(torch.randint(0, VOCAB, (1,), generator=generator))
    sequences.append(torch.full((REPEAT_LENGTH,), token, dtype=torch.long))
    return sequences


def first_tensor(value):
    """Module outputs may be a tensor or a tuple whose first item is the tensor."""
    return value[0] if isinstance(value, (tuple, list)) else value


def capture(model: LlamaForCausalLM, token_ids: torch.Tensor) -> tuple[dict, object]:
    """Run one sequence (batch 1) with hooks; return ({hook name: [n, d]}, HF output)."""
    captured: dict[str, torch.Tensor] = {}
    handles = []

    def keep(name):
        def hook(_module, _inputs, output):
            captured[name] = first_tensor(output)[0].detach().clone()

        return hook

    def keep_input(name):
        def hook(_module, args, kwargs):
            value = args[0] if args else kwargs["hidden_states"]
            captured[name] = value[0].detach().clone()

        return hook

    for index, layer in enumerate(model.model.layers):
        prefix = f"blocks.{index}"
        handles.append(layer.register_forward_pre_hook(keep_input(f"{prefix}.hook_resid_pre"), with_kwargs=True))
        handles.append(layer.self_attn.register_forward_hook(keep(f"{prefix}.hook_attn_out")))
        handles.append(
            layer.post_attention_layernorm.register_forward_pre_hook(
                keep_input(f"{prefix}.hook_resid_mid"), with_kwargs=True
            )
        )
        handles.append(layer.post_attention_layernorm.register_forward_hook(keep(f"{prefix}.ln2.hook_normalized")))
        handles.append(layer.mlp.register_forward_hook(keep(f"{prefix}.hook_mlp_out")))
        handles.append(layer.register_forward_hook(keep(f"{prefix}.hook_resid_post")))
    handles.append(model.model.norm.register_forward_hook(keep("ln_final.hook_normalized")))
    try:
        with torch.no_grad():
            output = model(input_ids=token_ids[None, :], output_hidden_states=True, use_cache=False)
    finally:
        for handle in handles:
            handle.remove()
    return captured, output


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    assert a.shape == b.shape, f"{tuple(a.shape)} vs {tuple(b.shape)}"
    return float((a - b).abs().max()) if a.numel() else 0.0


def check(label: str, a: torch.Tensor, b: torch.Tensor, tolerance: float = 0.0) -> float:
    diff = max_diff(a, b)
    assert diff <= tolerance, f"{label}: max abs diff {diff:.3e} > {tolerance:.1e}"
    return diff


def golden_for(model: LlamaForCausalLM, sequences: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    layers = model.config.num_hidden_layers
    tensors: dict[str, torch.Tensor] = {}
    worst = {"resid_mid": 0.0, "hidden_states": 0.0, "ln_final": 0.0, "logits": 0.0}
    for i, token_ids in enumerate(sequences):
        captured, output = capture(model, token_ids)
        hidden = [h[0] for h in output.hidden_states]
        assert len(hidden) == layers + 1, len(hidden)
        for L in range(layers):
            p = f"blocks.{L}"
            worst["resid_mid"] = max(
                worst["resid_mid"],
                check(
                    f"s{i} {p} resid_mid",
                    captured[f"{p}.hook_resid_mid"],
                    captured[f"{p}.hook_resid_pre"] + captured[f"{p}.hook_attn_out"],
                    TOLERANCE,
                ),
            )
            worst["hidden_states"] = max(
                worst["hidden_states"], check(f"s{i} {p} resid_pre", captured[f"{p}.hook_resid_pre"], hidden[L])
            )
            if L < layers - 1:
                worst["hidden_states"] = max(
                    worst["hidden_states"],
                    check(f"s{i} {p} resid_post", captured[f"{p}.hook_resid_post"], hidden[L + 1]),
                )
        worst["ln_final"] = max(
            worst["ln_final"], check(f"s{i} ln_final", captured["ln_final.hook_normalized"], hidden[-1])
        )
        logits = output.logits[0].float()
        tensors[f"s{i}.token_ids"] = token_ids.to(torch.int32)
        for name, value in captured.items():
            tensors[f"s{i}.{name}"] = value.float()
        tensors[f"s{i}.logits"] = logits
        # The hooked norm output through lm_head must give the model's logits.
        with torch.no_grad():
            relogits = model.lm_head(captured["ln_final.hook_normalized"])
        worst["logits"] = max(worst["logits"], check(f"s{i} logits", relogits, logits))
    for key, value in worst.items():
        print(f"    check {key:<14} max abs diff {value:.3e}")
    return tensors


def padded_batch_check(model: LlamaForCausalLM, sequences: list[torch.Tensor], golden: dict) -> float:
    """All sequences as one right-padded batch must match the single runs."""
    longest = max(len(s) for s in sequences)
    input_ids = torch.zeros((len(sequences), longest), dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, token_ids in enumerate(sequences):
        input_ids[row, : len(token_ids)] = token_ids
        attention_mask[row, : len(token_ids)] = 1
    with torch.no_grad():
        output = model(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True, use_cache=False
        )
    worst = 0.0
    for row, token_ids in enumerate(sequences):
        n = len(token_ids)
        worst = max(
            worst,
            check(f"padded s{row} final hidden", output.hidden_states[-1][row, :n], golden[f"s{row}.ln_final.hook_normalized"], TOLERANCE),
            check(f"padded s{row} logits", output.logits[row, :n].float(), golden[f"s{row}.logits"], TOLERANCE),
        )
    print(f"    padded batch (right-padded, attention_mask) max abs diff {worst:.3e}")
    return worst


# --------------------------------------------------------------------------- main


def main() -> None:
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    GOLDEN.mkdir(parents=True, exist_ok=True)
    sequences = make_sequences()
    generator = torch.Generator().manual_seed(SEED)
    for spec in MODELS:
        print(f"{spec['name']}:")
        directory = write_checkpoint(spec, generator)
        # Golden values come from the checkpoint as stored (rounded weights,
        # committed config.json), promoted to float32.
        model = LlamaForCausalLM.from_pretrained(
            directory, dtype=torch.float32, attn_implementation="eager"
        ).eval()
        assert next(model.parameters()).dtype == torch.float32
        rope = model.config.rope_parameters
        for key, value in spec["config"]["rope_parameters"].items():
            assert rope.get(key) == value, f"{spec['name']}: rope {key} loaded as {rope.get(key)}, want {value}"
        golden = golden_for(model, sequences)
        padded_batch_check(model, sequences, golden)
        metadata = {
            "generator": GENERATOR,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "sequences": str(len(sequences)),
            "model": spec["name"],
        }
        path = GOLDEN / f"{spec['name']}.safetensors"
        save_file({k: v.contiguous() for k, v in sorted(golden.items())}, str(path), metadata=metadata)
        sort_metadata(path)
        verify_golden(path, golden)
        print(f"    wrote {path.relative_to(REPO_ROOT)} ({len(golden)} tensors, {path.stat().st_size} bytes)")


def sort_metadata(path: Path) -> None:
    """Rewrite the header with `__metadata__` keys sorted.

    save_file writes the metadata map in hash order, which changes from run
    to run; sorting it in place (same length) makes the file reproducible.
    """
    with open(path, "r+b") as handle:
        length = int.from_bytes(handle.read(8), "little")
        raw = handle.read(length)
        header = json.loads(raw)
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
        rewritten = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
        assert len(rewritten) <= length, "rewritten header is longer than the original"
        handle.seek(8)
        handle.write(rewritten.ljust(length, b" "))


def verify_golden(path: Path, golden: dict) -> None:
    """Read the file back with the numpy loader and compare."""
    with safe_open(str(path), framework="np") as handle:
        assert set(handle.keys()) == set(golden), "golden file keys differ"
        for key in handle.keys():
            array = handle.get_tensor(key)
            expected = golden[key].numpy()
            assert array.dtype == expected.dtype and np.array_equal(array, expected), key


if __name__ == "__main__":
    main()
