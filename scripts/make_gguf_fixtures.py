#!/usr/bin/env python3
"""Writes the GGUF test fixtures and their golden values for bae's GGUF reader.

Run by hand (never at test time):

    python scripts/make_gguf_fixtures.py     # with the Python of a venv that has gguf and numpy

Outputs, under Tests/CheckpointsTests/Resources/gguf/:

* ``fixture.gguf``: a GGUF v3 file (alignment 64) with one small tensor of each
  supported ggml type and a metadata key of every GGUF value type (including
  string arrays, an empty string and a nested array).
* ``fixture_expected.json``: for each tensor its ggml type name, its row-major
  shape (outermost first) and its values dequantized to float32 by the `gguf`
  Python package (`gguf.quants.dequantize`), the reference implementation.
  Q8_K is not implemented by gguf-py; its golden values are computed here from
  the ggml block layout (``d · q``).
* ``smollm2_expected.json`` (only if the SmolLM2 model file is present under
  ``models/``): rows 0 and 1 of ``blk.0.attn_q.weight`` and
  ``token_embd.weight``, dequantized by gguf-py, plus a few metadata values.

Everything is seeded, so reruns give identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf import GGUFValueType as V

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "CheckpointsTests" / "Resources" / "gguf"
SMOLLM2 = ROOT / "models" / "smollm2-135m-instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf"

QK_K = 256


def floats(array: np.ndarray) -> list[float]:
    """Exact float32 values as JSON numbers (repr of the widened double is exact)."""
    values = np.asarray(array, dtype=np.float32).ravel()
    assert np.all(np.isfinite(values)), "golden values must be finite"
    return [float(v) for v in values]


def random_f16(rng: np.random.Generator, count: int, scale: float) -> np.ndarray:
    """`count` finite half-precision values as little-endian bytes."""
    return (rng.standard_normal(count) * scale).astype("<f2").view(np.uint8)


def k_quant_blocks(rng: np.random.Generator, qtype: T, n_blocks: int) -> np.ndarray:
    """Random but valid raw blocks of a K-quant type: random payload, finite f16 scales."""
    _, type_size = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    # Byte offsets of the f16 super-block scales (d, and dmin where there is one).
    half_offsets = {
        T.Q2_K: [QK_K // 16 + QK_K // 4, QK_K // 16 + QK_K // 4 + 2],
        T.Q3_K: [QK_K // 8 + QK_K // 4 + 12],
        T.Q4_K: [0, 2],
        T.Q5_K: [0, 2],
        T.Q6_K: [QK_K // 2 + QK_K // 4 + QK_K // 16],
    }[qtype]
    for offset in half_offsets:
        blocks[:, offset:offset + 2] = random_f16(rng, n_blocks, 0.05).reshape(n_blocks, 2)
    return blocks


def q8_k_blocks(rng: np.random.Generator, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw Q8_K blocks (f32 d, 256 × i8 q, 16 × i16 bsums) and their values d · q."""
    d = (rng.standard_normal(n_blocks) * 0.01).astype("<f4")
    q = rng.integers(-128, 128, size=(n_blocks, QK_K), dtype=np.int8)
    bsums = q.reshape(n_blocks, 16, 16).astype(np.int32).sum(axis=-1).astype("<i2")
    raw = np.concatenate(
        [d.view(np.uint8).reshape(n_blocks, 4), q.view(np.uint8), bsums.view(np.uint8)], axis=1)
    values = d.reshape(n_blocks, 1) * q.astype(np.float32)
    return raw, values


def make_fixture() -> None:
    rng = np.random.default_rng(20240611)
    path = OUT / "fixture.gguf"
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_custom_alignment(64)

    # One metadata key per GGUF value type.
    writer.add_uint8("test.uint8", 200)
    writer.add_int8("test.int8", -100)
    writer.add_uint16("test.uint16", 60000)
    writer.add_int16("test.int16", -30000)
    writer.add_uint32("test.uint32", 4_000_000_000)
    writer.add_int32("test.int32", -2_000_000_000)
    writer.add_float32("test.float32", 0.15625)
    writer.add_uint64("test.uint64", 2**63 + 5)
    writer.add_int64("test.int64", -(2**40))
    writer.add_float64("test.float64", 3.141592653589793)
    writer.add_bool("test.bool", True)
    writer.add_string("test.string", "héllo ✓ GGUF")
    writer.add_key_value("test.empty_string", "", V.STRING)
    writer.add_array("test.string_array", ["alpha", "", "ünïcode", "Ġthe"])
    writer.add_key_value("test.int32_array", [1, -2, 3, 2147483647], V.ARRAY, sub_type=V.INT32)
    writer.add_key_value("test.float32_array", [0.5, -1.25, 1e-3], V.ARRAY, sub_type=V.FLOAT32)
    writer.add_key_value("test.bool_array", [True, False, True], V.ARRAY, sub_type=V.BOOL)
    writer.add_key_value("test.uint8_array", [0, 1, 255], V.ARRAY, sub_type=V.UINT8)
    writer.add_key_value("test.nested", [[1, 2, 3], [4], ["x", "y"]], V.ARRAY, sub_type=V.ARRAY)
    writer.add_block_count(2)
    writer.add_context_length(128)
    writer.add_rope_freq_base(10000.0)

    expected: dict[str, dict] = {}

    def add(name: str, qtype: T, data: np.ndarray, values: np.ndarray, shape: tuple[int, ...]) -> None:
        if qtype in (T.F32, T.F16, T.F64, T.I8, T.I16, T.I32):
            writer.add_tensor(name, data)
        else:
            writer.add_tensor(name, data, raw_dtype=qtype)
        expected[name] = {"type": qtype.name, "shape": list(shape), "values": floats(values)}

    # Plain types.
    x = rng.standard_normal((3, 40)).astype(np.float32)
    add("t.f32", T.F32, x, x, x.shape)
    x16 = (rng.standard_normal((3, 40)) * 4).astype(np.float16)
    add("t.f16", T.F16, x16, x16.astype(np.float32), x16.shape)
    xb = rng.standard_normal((2, 48)).astype(np.float32)
    raw_bf16 = gguf.quants.quantize(xb, T.BF16)
    add("t.bf16", T.BF16, raw_bf16, gguf.quants.dequantize(raw_bf16, T.BF16), xb.shape)
    x64 = rng.standard_normal((5,)).astype(np.float64)
    add("t.f64", T.F64, x64, x64.astype(np.float32), x64.shape)
    i8 = rng.integers(-128, 128, size=(2, 8), dtype=np.int8)
    add("t.i8", T.I8, i8, i8.astype(np.float32), i8.shape)
    i16 = rng.integers(-32768, 32768, size=(7,), dtype=np.int16)
    add("t.i16", T.I16, i16, i16.astype(np.float32), i16.shape)
    i32 = rng.integers(-1_000_000, 1_000_000, size=(2, 3), dtype=np.int32)
    add("t.i32", T.I32, i32, i32.astype(np.float32), i32.shape)
    cube = rng.standard_normal((2, 3, 4)).astype(np.float32)
    add("t.f32_3d", T.F32, cube, cube, cube.shape)

    # Legacy 32-element block types, quantized by the reference quantizer.
    for qtype in (T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1):
        w = rng.standard_normal((4, 96)).astype(np.float32)
        raw = gguf.quants.quantize(w, qtype)
        add(f"t.{qtype.name.lower()}", qtype, raw, gguf.quants.dequantize(raw, qtype), w.shape)

    # K-quants: random valid raw blocks, 3 rows × 2 super-blocks.
    for qtype in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K):
        blocks = k_quant_blocks(rng, qtype, 6)
        raw = blocks.reshape(3, -1)
        add(f"t.{qtype.name.lower()}", qtype, raw, gguf.quants.dequantize(raw, qtype), (3, 2 * QK_K))

    raw_q8k, values_q8k = q8_k_blocks(rng, 2)
    add("t.q8_k", T.Q8_K, raw_q8k.reshape(1, -1), values_q8k, (1, 2 * QK_K))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    # Cross-check: the gguf-py reader sees the same shapes (innermost-first in the file).
    reader = gguf.GGUFReader(str(path))
    for tensor in reader.tensors:
        assert list(reversed(tensor.shape.tolist())) == expected[tensor.name]["shape"], tensor.name
    with open(OUT / "fixture_expected.json", "w") as f:
        json.dump({"tensors": expected}, f, separators=(",", ":"))
    print(f"wrote {path} ({path.stat().st_size} bytes) and fixture_expected.json")


def make_smollm2_golden() -> None:
    if not SMOLLM2.exists():
        print(f"skipping SmolLM2 golden: {SMOLLM2} not found")
        return
    reader = gguf.GGUFReader(str(SMOLLM2))
    tensors = {t.name: t for t in reader.tensors}
    out: dict[str, dict] = {}
    for name in ("blk.0.attn_q.weight", "token_embd.weight"):
        t = tensors[name]
        rows = gguf.quants.dequantize(np.asarray(t.data[:2]), t.tensor_type)
        out[name] = {
            "type": t.tensor_type.name,
            "shape": list(reversed(t.shape.tolist())),
            "rows": [floats(rows[0]), floats(rows[1])],
        }
    golden = {"tensor_count": len(reader.tensors), "tensors": out}
    with open(OUT / "smollm2_expected.json", "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    print("wrote smollm2_expected.json")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    make_fixture()
    make_smollm2_golden()
