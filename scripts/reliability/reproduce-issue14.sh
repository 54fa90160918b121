#!/usr/bin/env bash
# Reproduces, at the command line, each of the 14 "What was found" items of issue #14 (crashes,
# hangs, unbounded memory and silent damage on hostile input) against any `bae` binary, old or new,
# so that "fails before the fix, passes after" can be shown with the binaries themselves (the Swift
# regression tests use APIs the old code does not have). See RELIABILITY.md, "Before and after".
#
# Usage:
#   scripts/reliability/reproduce-issue14.sh BAE_BINARY [WORKDIR]
#
# Prints one line per item, `item N: ok` or `item N: FAILED (what happened)`, and exits 0 only
# when every item is ok. WORKDIR (default: a new temporary directory, removed at the end) holds the
# hostile inputs and outputs; a given WORKDIR is kept for inspection. Every bae run is bounded by
# `timeout` and a virtual-memory cap (`ulimit -v`), so a hang or runaway memory is a FAILED line,
# never a stuck script. Only flags that both the pre-fix bae (9af3d76) and the current one accept
# are used. Inputs are made with printf, coreutils and python3 (standard library only; this is a
# development script, bae itself never needs Python).
#
# Environment (all optional):
#   BAE_REPRO_ITEMS        items to run, e.g. "1 5 12" (default: 1 … 14)
#   BAE_REPRO_TIMEOUT      seconds allowed to one bae run (default 30; item 2 gets 6×)
#   BAE_REPRO_MEM_KB       virtual-memory cap of one bae run in KiB (default 4194304, 4 GiB;
#                          item 2 gets twice that, so that its peak RSS is measured, not capped)
#   BAE_REPRO_MODEL        model for item 2 (default: models/smollm2-135m-instruct in the checkout)
#   BAE_REPRO_RSS_LIMIT_KB peak-RSS bound of item 2 in KiB (default 1200000, ~1.2 GB)
#   BAE_REPRO_1GB=1        item 2 also runs 1 GB of gzipped text without a newline (slow)
#   PYTHON                 python3 to make inputs with (default: python3)
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BAE_BINARY [WORKDIR]" >&2
  exit 2
fi
BAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ ! -x "$BAE" ]; then
  echo "error: $1 is not an executable" >&2
  exit 2
fi
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}
TIMEOUT=${BAE_REPRO_TIMEOUT:-30}
MEM_KB=${BAE_REPRO_MEM_KB:-4194304}
RSS_LIMIT_KB=${BAE_REPRO_RSS_LIMIT_KB:-1200000}
TINY=$REPO/Tests/ModelsTests/Resources/tiny-extract
MQA=$REPO/Tests/ModelsTests/Resources/tiny-tied-mqa
PILE=$REPO/corpora/pile-sample.jsonl.zst
BIG_MODEL=${BAE_REPRO_MODEL:-$REPO/models/smollm2-135m-instruct}

if [ $# -eq 2 ]; then
  W=$2
  mkdir -p "$W" || exit 2
  W=$(cd "$W" && pwd)
  KEEP=1
else
  W=$(mktemp -d "${TMPDIR:-/tmp}/bae-issue14.XXXXXX") || exit 2
  KEEP=0
fi
cleanup() { if [ "$KEEP" = 0 ]; then rm -rf "$W"; fi; }
trap cleanup EXIT

# The extract options of the CLI regression tests: the tiny fixture model, one hook, small shards.
TINY_EXTRACT=(extract --model "$TINY" --hooks resid_post:1 --context 128 --batch-tokens 512 --shard-tokens 500
  --threads 1)

REASON=""
RC=0
ELAPSED_MS=0
RUN_CWD=""

# run_capped NAME SECONDS CMD...: runs CMD under the memory cap and the time limit (in RUN_CWD if
# set), stdout to $W/NAME.out, stderr to $W/NAME.err; sets RC (timeout's status: 124 = timed out,
# 128+N = killed by signal N) and ELAPSED_MS.
run_capped() {
  local name=$1 seconds=$2
  shift 2
  local start end
  start=$(date +%s%N)
  (
    if [ -n "$RUN_CWD" ]; then cd "$RUN_CWD" || exit 125; fi
    ulimit -v "$MEM_KB" 2>/dev/null
    exec timeout -k 5 "$seconds" "$@"
  ) >"$W/$name.out" 2>"$W/$name.err"
  RC=$?
  end=$(date +%s%N)
  ELAPSED_MS=$(((end - start) / 1000000))
}

# describe_rc STATUS: the status in words.
describe_rc() {
  local rc=$1
  if [ "$rc" -eq 124 ]; then
    echo "timed out after ${TIMEOUT}s or more"
  elif [ "$rc" -ge 128 ]; then
    local sig=$((rc - 128))
    echo "killed by signal $sig (SIG$(kill -l "$sig" 2>/dev/null || echo '?'))"
  else
    echo "exit $rc"
  fi
}

# first_line FILE: the first line of FILE, control characters removed, cut to 120 bytes.
first_line() {
  head -c 2000 "$1" | grep -a -m1 -v '^[[:space:]]*$' | LC_ALL=C tr -d '\000-\037\177' | cut -c1-120
}

# summary_counts FILE: "USED READ" from an extract summary line ("N documents used of M read").
summary_counts() {
  grep -a -o '[0-9]* documents used of [0-9]* read' "$1" | tail -1 | awk '{print $1, $5}'
}

# fail WHY: records the reason of a failed item; returns 1.
fail() {
  REASON=$*
  return 1
}

# json_edit SRC_DIR DST_DIR PYTHON_EXPR: copies a model directory (links its other files) with
# config.json changed by PYTHON_EXPR, which edits the dict `c`.
json_edit() {
  local src=$1 dst=$2 expr=$3
  mkdir -p "$dst"
  local f
  for f in "$src"/*; do
    [ "$(basename "$f")" = config.json ] || ln -sf "$f" "$dst/$(basename "$f")"
  done
  "$PY" - "$src/config.json" "$dst/config.json" "$expr" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"), indent=2)
EOF
}

# signal_run NAME SIGNAL WAIT_FOR SECONDS CMD...: starts CMD (memory cap, time limit), sends SIGNAL
# once the file WAIT_FOR exists and holds the text $WAIT_TEXT (if set), and waits. Sets RC to
# Python's return code (negative: killed by that signal; 124: timed out) and SENT to 1 when the
# signal was sent while CMD ran.
signal_run() {
  local name=$1 sig=$2 wait_for=$3 seconds=$4
  shift 4
  local result
  result=$("$PY" - "$sig" "$wait_for" "${WAIT_TEXT:-}" "$seconds" "$MEM_KB" "$W/$name.out" "$W/$name.err" "$@" <<'EOF'
import os, resource, signal, subprocess, sys, time
sig, wait_for, text, seconds, mem_kb, out, err = sys.argv[1:8]
command = sys.argv[8:]
def cap():
    # A script started in the background inherits SIGINT ignored; bae must see the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    limit = int(mem_kb) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen(command, stdout=o, stderr=e, preexec_fn=cap)
    try:
        deadline = time.time() + float(seconds)
        sent = 0
        while p.poll() is None and time.time() < deadline:
            try:
                with open(wait_for, "rb") as f:
                    ready = text.encode() in f.read()
            except OSError:
                ready = False
            if ready:
                p.send_signal(getattr(signal, "SIG" + sig))
                sent = 1
                break
            time.sleep(0.001)
        try:
            rc = p.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            rc = 124
    finally:
        # Never leave bae running behind the script.
        if p.poll() is None:
            p.kill()
            p.wait()
print(rc, sent)
EOF
  )
  if [ -z "$result" ]; then
    RC=125
    SENT=0
    return
  fi
  RC=${result% *}
  SENT=${result#* }
}

# err_hint NAME: ": <first line of NAME's stderr>", or nothing when stderr was empty.
err_hint() {
  local line
  line=$(first_line "$W/$1.err")
  if [ -n "$line" ]; then echo ": $line"; fi
}

# safetensors FILE HEADER_JSON DATA_BYTES [DECLARED_LENGTH]: a safetensors file with that header
# (its length declared as DECLARED_LENGTH when given) and DATA_BYTES zero bytes of data.
safetensors() {
  "$PY" - "$@" <<'PYEOF'
import struct, sys
path, header, data = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
length = int(sys.argv[4]) if len(sys.argv) > 4 else len(header)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", length) + header + bytes(data))
PYEOF
}

# expect_clean_error NAME WHAT: the last run ended with status 1 and a message on stderr (not a
# trap, a signal, a hang or exit 0).
expect_clean_error() {
  local name=$1 what=$2
  [ "$RC" -eq 1 ] || fail "$what: $(describe_rc "$RC"), expected a clean error (exit 1)" || return 1
  [ -s "$W/$name.err" ] || fail "$what: exit 1 with nothing on stderr" || return 1
}

# expect_safe_stderr NAME WHAT: the last run failed cleanly, its stderr has no raw ESC and is
# under 4 KB.
expect_safe_stderr() {
  local name=$1 what=$2 size
  size=$(wc -c <"$W/$name.err")
  if LC_ALL=C grep -q "$(printf '\033')" "$W/$name.err"; then
    fail "$what: raw ESC (0x1B) on stderr (${size} bytes, $(describe_rc "$RC"))"
    return 1
  fi
  [ "$size" -lt 4096 ] || fail "$what: ${size} bytes on stderr" || return 1
  [ "$RC" -ne 0 ] && [ "$RC" -lt 124 ] || fail "$what: $(describe_rc "$RC"), expected an error" || return 1
}

# Each item N is checked by the functions check_N_*, each self-contained (its own inputs in
# $W/iN), returning 1 with REASON set when its promise is broken. An item is ok when all its
# checks are.

# Item 1: a symlink cycle, a self link, a second link to a file, and a FIFO in a corpus directory:
# extract finishes and reads each real file once
# (HostileCorpusTests/linkCyclesAndSelfLinksReadEveryFileOnce, fifoInADirectoryIsNeverOpened).
check_1_links() {
  local d=$W/i1/links
  mkdir -p "$d/sub"
  printf 'alpha\n' >"$d/a.txt"
  printf 'beta\n' >"$d/sub/b.txt"
  ln -s . "$d/self"
  ln -s .. "$d/sub/up"
  ln -s a.txt "$d/z-again.txt"
  run_capped i1-links "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$d" --max-tokens 50 --out "$W/i1/out-links"
  [ "$RC" -eq 0 ] || fail "symlink cycle: $(describe_rc "$RC")$(err_hint i1-links)" || return 1
  local counts
  counts=$(summary_counts "$W/i1-links.out")
  [ "${counts#* }" = 2 ] ||
    fail "symlink cycle: read ${counts#* } documents, expected 2 (a.txt and sub/b.txt once each)" || return 1
}

check_1_fifo() {
  local d=$W/i1/fifo
  mkdir -p "$d"
  printf 'alpha\n' >"$d/a.txt"
  mkfifo "$d/b-pipe"
  run_capped i1-fifo "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$d" --max-tokens 50 --out "$W/i1/out-fifo"
  [ "$RC" -eq 0 ] || fail "FIFO in the corpus directory: $(describe_rc "$RC")$(err_hint i1-fifo)" || return 1
  local counts
  counts=$(summary_counts "$W/i1-fifo.out")
  [ "${counts#* }" = 1 ] || fail "FIFO: read ${counts#* } documents, expected 1" || return 1
}

# Item 2: peak RSS of extract on a 50 MB single-line JSONL document (then the Pile sample) with
# --max-tokens 2000 stays under ~1.2 GB (README, "Performance"); BAE_REPRO_1GB=1 adds 1 GB of
# gzipped text without a newline. The memory cap is doubled here, so the peak is measured.
check_2_long_document() {
  [ -e "$BIG_MODEL" ] || fail "model $BIG_MODEL not found (set BAE_REPRO_MODEL)" || return 1
  mkdir -p "$W/i2"
  "$PY" - "$W/i2/long.jsonl" <<'PYEOF'
import sys
words = "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing ".split()
line, n, i = [], 0, 0
while n < 50_000_000:
    w = words[i % len(words)] + str(i % 97)
    line.append(w)
    n += len(w) + 1
    i += 1
with open(sys.argv[1], "w") as f:
    f.write('{"text": "' + " ".join(line) + '"}\n')
PYEOF
  local corpora=("$W/i2/long.jsonl")
  if [ "${BAE_REPRO_1GB:-0}" = 1 ]; then
    yes 'lorem ipsum dolor sit amet ' | tr -d '\n' | head -c 1073741824 | gzip -1 >"$W/i2/huge.txt.gz"
    corpora+=("$W/i2/huge.txt.gz")
  fi
  local c n=0 rss problems=()
  for c in "${corpora[@]}"; do
    n=$((n + 1))
    MEM_KB=$((MEM_KB * 2)) run_capped "i2-$n" $((TIMEOUT * 6)) /usr/bin/time -v -o "$W/i2/time-$n" "$BAE" extract \
      --model "$BIG_MODEL" --hooks resid_post:1 --max-tokens 2000 --threads 1 --corpus "$c" "$PILE" --out "$W/i2/out-$n"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/i2/time-$n" 2>/dev/null)
    echo "  (item 2: $(basename "$c") + pile sample: $(describe_rc "$RC"), peak RSS ${rss:-?} KiB, ${ELAPSED_MS} ms)" >&3
    if [ "$RC" -ne 0 ]; then
      problems+=("$(basename "$c"): $(describe_rc "$RC")${rss:+, peak RSS ${rss} KiB}$(err_hint "i2-$n")")
    elif [ -z "$rss" ] || [ "$rss" -gt "$RSS_LIMIT_KB" ]; then
      problems+=("$(basename "$c"): peak RSS ${rss:-?} KiB > $RSS_LIMIT_KB KiB")
    fi
  done
  [ ${#problems[@]} -gt 0 ] || return 0
  local joined=${problems[0]} problem
  for problem in "${problems[@]:1}"; do joined+="; $problem"; done
  fail "$joined"
}

# Item 3: integer traps: safetensors header length 2^63, a shape whose element count overflows,
# intermediate_size 2^62 in inspect (HostileInputTests, HostileConfigTests).
check_3_header_length() {
  mkdir -p "$W/i3/len"
  cp "$TINY/config.json" "$W/i3/len/"
  safetensors "$W/i3/len/model.safetensors" '{}' 8 9223372036854775808
  run_capped i3-len "$TIMEOUT" "$BAE" inspect --model "$W/i3/len"
  expect_clean_error i3-len "header length 2^63"
}

check_3_shape() {
  mkdir -p "$W/i3/shape"
  cp "$TINY/config.json" "$W/i3/shape/"
  safetensors "$W/i3/shape/model.safetensors" \
    '{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}' 4
  run_capped i3-shape "$TIMEOUT" "$BAE" inspect --model "$W/i3/shape"
  expect_clean_error i3-shape "shape [2^32, 2^32]"
}

check_3_intermediate_size() {
  json_edit "$MQA" "$W/i3/ffn" 'c["intermediate_size"] = 2**62'
  run_capped i3-ffn "$TIMEOUT" "$BAE" inspect --model "$W/i3/ffn"
  expect_clean_error i3-ffn "intermediate_size 2^62"
}

# Item 4: num_hidden_layers = 10^7 is refused quickly (under 10 s), in bounded memory
# (HostileConfigTests/hugeOrZeroSizesAreRefused).
check_4_inspect() {
  json_edit "$TINY" "$W/i4/inspect" 'c["num_hidden_layers"] = 10_000_000'
  run_capped i4-inspect "$TIMEOUT" "$BAE" inspect --model "$W/i4/inspect"
  expect_clean_error i4-inspect "inspect with 10^7 layers" || return 1
  [ "$ELAPSED_MS" -lt 10000 ] || fail "inspect with 10^7 layers took ${ELAPSED_MS} ms" || return 1
}

check_4_forward() {
  json_edit "$TINY" "$W/i4/forward" 'c["num_hidden_layers"] = 10_000_000'
  run_capped i4-forward "$TIMEOUT" "$BAE" forward --model "$W/i4/forward" --text hello --threads 1 --out "$W/i4/out"
  expect_clean_error i4-forward "forward with 10^7 layers" || return 1
  [ "$ELAPSED_MS" -lt 10000 ] || fail "forward with 10^7 layers took ${ELAPSED_MS} ms" || return 1
}

# small_set NAME: extracts 1500 tokens of the Pile sample with the tiny model into $W/i5/NAME
# (three shards of 500 rows).
small_set() {
  run_capped "i5-$1" "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$PILE" --max-tokens 1500 --out "$W/i5/$1"
  [ "$RC" -eq 0 ] || fail "extract: $(describe_rc "$RC")$(err_hint "i5-$1")" || return 1
  [ -f "$W/i5/$1/shard-00001.safetensors" ] || fail "extract wrote no shard-00001 (the check needs 2 shards)" ||
    return 1
}

# Item 5: a damaged feature set is noticed: a flipped byte stops --resume, a deleted shard is not
# "complete" in features info (ExtractionReliabilityTests/damagedShardStopsAResume,
# ExtractReliabilityCommandTests/infoDoesNotCallADamagedSetComplete).
check_5_flipped_byte() {
  mkdir -p "$W/i5"
  small_set flipped || return 1
  "$PY" - "$W/i5/flipped/shard-00001.safetensors" <<'PYEOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0x10
open(sys.argv[1], "wb").write(data)
PYEOF
  run_capped i5-resume "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$PILE" --max-tokens 1500 \
    --out "$W/i5/flipped" --resume
  [ "$RC" -ne 0 ] && [ "$RC" -lt 124 ] || fail "--resume over a flipped byte in shard-00001: $(describe_rc "$RC")" ||
    return 1
}

check_5_deleted_shard() {
  mkdir -p "$W/i5"
  small_set deleted || return 1
  rm "$W/i5/deleted/shard-00001.safetensors"
  run_capped i5-info "$TIMEOUT" "$BAE" features info "$W/i5/deleted"
  if grep -q '(complete' "$W/i5-info.out"; then
    fail "features info calls a set with a deleted shard complete ($(describe_rc "$RC"))"
    return 1
  fi
  [ "$RC" -lt 124 ] || fail "features info: $(describe_rc "$RC")" || return 1
}

# Item 6: resource limits: --threads 100000 and --batch-tokens 10^9 are refused within 10 s,
# exit 64 (ExtractReliabilityCommandTests/badOptionValuesExit64,
# ExtractionReliabilityTests/hugeBatchIsRefusedWithAMemoryEstimate).
check_6_threads() {
  run_capped i6-threads "$TIMEOUT" "$BAE" extract --model "$TINY" --corpus "$PILE" --hooks resid_post:1 \
    --max-tokens 2000 --threads 100000 --out "$W/i6/threads"
  [ "$RC" -eq 64 ] || fail "--threads 100000: $(describe_rc "$RC"), expected 64" || return 1
  [ "$ELAPSED_MS" -lt 10000 ] || fail "--threads 100000 took ${ELAPSED_MS} ms to refuse" || return 1
}

check_6_batch_tokens() {
  run_capped i6-batch "$TIMEOUT" "$BAE" extract --model "$TINY" --corpus "$PILE" --hooks resid_post:1 \
    --max-tokens 2000 --threads 1 --batch-tokens 1000000000 --out "$W/i6/batch"
  [ "$RC" -eq 64 ] || fail "--batch-tokens 10^9: $(describe_rc "$RC"), expected 64 (refused with a memory estimate)" ||
    return 1
  [ "$ELAPSED_MS" -lt 10000 ] || fail "--batch-tokens 10^9 took ${ELAPSED_MS} ms to refuse" || return 1
}

# Item 7: only bae's own temporary files are removed; the user's files in OUT and its folders stay,
# look-alikes of bae's temporary names included
# (ExtractionReliabilityTests/onlyBaesOwnTemporaryFilesAreRemoved).
check_7_user_files() {
  local out=$W/i7/out
  local theirs=(sub/keep.partial notes.partial .mydata.partial-1-2 mine/.shard-00000.safetensors.partial-1-2
    shard-notes/.x.npy.partial-1-2 mine/deeper/.manifest.json.partial-3-4)
  local name
  for name in "${theirs[@]}"; do
    mkdir -p "$(dirname "$out/$name")"
    printf 'x' >"$out/$name"
  done
  run_capped i7 "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$PILE" --max-tokens 600 --out "$out"
  [ "$RC" -eq 0 ] || fail "extract into a folder holding user files: $(describe_rc "$RC")$(err_hint i7)" || return 1
  local gone=()
  for name in "${theirs[@]}"; do [ -e "$out/$name" ] || gone+=("$name"); done
  [ ${#gone[@]} -eq 0 ] || fail "user files removed: ${gone[*]}" || return 1
}

# Item 8: forward past max_position_embeddings (512 in the fixture; ~2,000 tokens here) warns on
# stderr (HostileConfigTests/forwardPastTheTrainedContextReturnsAWarning).
check_8_warning() {
  local text
  text=$(printf 'word%d ' $(seq 1 400))
  run_capped i8 "$TIMEOUT" "$BAE" forward --model "$TINY" --text "$text" --hooks resid_post:1 --threads 1 \
    --out "$W/i8/out"
  [ "$RC" -eq 0 ] || fail "forward: $(describe_rc "$RC")$(err_hint i8)" || return 1
  grep -q 'max_position_embeddings' "$W/i8.err" ||
    fail "no warning on stderr for a sequence longer than max_position_embeddings (512)" || return 1
}

# rope_case NAME EXPR WHAT: forward on the tiny model with config.json edited by EXPR must fail
# cleanly (HostileConfigTests/badRoPEParametersAreConfigErrors, badRoPEScalingIsNamedAsWritten).
rope_case() {
  json_edit "$TINY" "$W/i9/$1" "$2"
  run_capped "i9-$1" "$TIMEOUT" "$BAE" forward --model "$W/i9/$1" --text "hello world" --threads 1 --out "$W/i9/out-$1"
  expect_clean_error "i9-$1" "$3"
}

# Item 9: bad RoPE settings are config errors, never a silent exit 0.
check_9_factor_zero() {
  rope_case zero 'c["rope_parameters"] = {"rope_type": "linear", "factor": 0, "rope_theta": 10000.0}' \
    "linear factor 0"
}

check_9_factor_negative() {
  rope_case negative 'c["rope_parameters"] = {"rope_type": "linear", "factor": -2, "rope_theta": 10000.0}' \
    "linear factor -2"
}

check_9_not_an_object() {
  rope_case string 'c["rope_parameters"] = "linear"' 'rope_parameters "linear"'
}

# Item 10: a resumed run counts each document once: "N documents used of M read" with N <= M and
# the counters of an uninterrupted run (ExtractionReliabilityTests/resumedRunCountsEachDocumentOnce).
# The first run is killed (SIGKILL) once its manifest records two shards.
check_10_counters() {
  mkdir -p "$W/i10"
  local args=("$BAE" "${TINY_EXTRACT[@]}" --corpus "$PILE" --max-tokens 20000)
  run_capped i10-full "$TIMEOUT" "${args[@]}" --out "$W/i10/full"
  [ "$RC" -eq 0 ] || fail "uninterrupted extract: $(describe_rc "$RC")$(err_hint i10-full)" || return 1
  WAIT_TEXT=shard-00001 signal_run i10-killed KILL "$W/i10/parts/manifest.json" "$TIMEOUT" "${args[@]}" \
    --out "$W/i10/parts"
  [ "$SENT" = 1 ] || fail "inconclusive: the run ended (status $RC) before its manifest held two shards" || return 1
  run_capped i10-resume "$TIMEOUT" "${args[@]}" --out "$W/i10/parts" --resume
  [ "$RC" -eq 0 ] || fail "--resume: $(describe_rc "$RC")$(err_hint i10-resume)" || return 1
  local full resumed
  full=$(summary_counts "$W/i10-full.out")
  resumed=$(summary_counts "$W/i10-resume.out")
  [ -n "$resumed" ] || fail "no summary line after --resume" || return 1
  [ "${resumed% *}" -le "${resumed#* }" ] ||
    fail "\"${resumed% *} documents used of ${resumed#* } read\" after a resume" || return 1
  [ "$resumed" = "$full" ] ||
    fail "resumed counters (used, read) $resumed differ from an uninterrupted run's $full" || return 1
}

# nul_corpus: $W/i11/zeros.txt (2048 NUL bytes, then text) and $W/i11/good.txt.
nul_corpus() {
  mkdir -p "$W/i11"
  head -c 2048 /dev/zero >"$W/i11/zeros.txt"
  printf 'hello there, this text follows the zeros\n' >>"$W/i11/zeros.txt"
  printf 'after the zeros comes a good file\n' >"$W/i11/good.txt"
}

# Item 11: a text file starting with 2048 NUL bytes is not taken for an empty tar: under
# --on-bad-input fail it stops the run naming the file; under skip it is counted as bad
# (HostileCorpusTests/textStartingWithNULBytesIsNotAnEmptyTar).
check_11_fail_mode() {
  nul_corpus
  run_capped i11-fail "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$W/i11/zeros.txt" "$W/i11/good.txt" \
    --on-bad-input fail --max-tokens 50 --out "$W/i11/out-fail"
  if [ "$RC" -eq 0 ]; then
    fail "--on-bad-input fail: exit 0, the NUL-prefixed text was dropped silently as an empty tar"
    return 1
  fi
  [ "$RC" -lt 124 ] || fail "--on-bad-input fail: $(describe_rc "$RC")" || return 1
  grep -q 'zeros.txt' "$W/i11-fail.err" || fail "--on-bad-input fail: the error does not name zeros.txt" || return 1
}

check_11_skip_mode() {
  nul_corpus
  run_capped i11-skip "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$W/i11/zeros.txt" "$W/i11/good.txt" \
    --max-tokens 50 --out "$W/i11/out-skip"
  [ "$RC" -eq 0 ] || fail "skip mode: $(describe_rc "$RC")$(err_hint i11-skip)" || return 1
  grep -q ' 1 bad documents skipped' "$W/i11-skip.out" ||
    fail "skip mode: the damaged file is not counted ($(grep -a -o '[0-9]* bad documents skipped' "$W/i11-skip.out"))" ||
    return 1
}

# Item 12: SIGINT during extract stops cleanly: exit 130 (not death by the signal), a message with
# the resume command, no temporary file, a set that verifies
# (ExtractReliabilityCommandTests/aSignalStopsCleanlyAndSaysHowToResume). The signal is sent as
# soon as manifest.json exists (after the first shard in the pre-fix bae).
check_12_sigint() {
  local out=$W/i12/set
  mkdir -p "$W/i12"
  signal_run i12 INT "$out/manifest.json" "$TIMEOUT" "$BAE" extract --model "$TINY" --corpus "$PILE" \
    --hooks resid_post:all --context 128 --batch-tokens 256 --shard-tokens 256 --threads 1 --max-tokens 200000 \
    --out "$out"
  [ "$SENT" = 1 ] || fail "inconclusive: the run ended (status $RC) before its manifest appeared" || return 1
  local left
  left=$(find "$out" -name '*.partial*' | sed "s|^$out/||" | head -3 | tr '\n' ' ')
  if [ "$RC" -lt 0 ]; then
    fail "killed by SIGINT at once (no clean stop)${left:+, left $left}"
    return 1
  fi
  [ "$RC" -eq 130 ] || fail "status $RC after SIGINT, expected 130" || return 1
  grep -q -- '--resume' "$W/i12.err" || fail "exit 130 but no resume command on stderr" || return 1
  [ -z "$left" ] || fail "temporary files left: $left" || return 1
  run_capped i12-verify "$TIMEOUT" "$BAE" features verify "$out"
  [ "$RC" -eq 0 ] || fail "features verify after SIGINT: $(describe_rc "$RC")$(err_hint i12-verify)" || return 1
}

# Item 13: messages carry no raw control bytes and stay short
# (ExtractReliabilityCommandTests/messagesReachTheTerminalEscaped,
# HostileInputTests/safetensorsNamesWithTerminalEscapesAreEscapedInMessages).
check_13_corpus_path() {
  mkdir -p "$W/i13"
  local hostile
  hostile="$W/i13/set$(printf '\033')[2J$(printf 'x%.0s' $(seq 1 200)).txt"
  run_capped i13-path "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$hostile" --max-tokens 50 --out "$W/i13/out"
  expect_safe_stderr i13-path "missing corpus path with ESC[2J"
}

check_13_tensor_name() {
  mkdir -p "$W/i13/model"
  cp "$TINY/config.json" "$W/i13/model/"
  local name
  name='evil\u001b[2J\u0007'$(head -c 40000 /dev/zero | tr '\0' x)
  safetensors "$W/i13/model/model.safetensors" "{\"$name\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}" 4
  run_capped i13-tensor "$TIMEOUT" "$BAE" inspect --model "$W/i13/model"
  expect_safe_stderr i13-tensor "tensor name of ESC, BEL and 40,000 bytes in inspect"
}

# Item 14: --out "" is refused and writes nothing in the current directory; option value errors
# exit 64; a failed extract leaves no empty directory it created
# (ExtractReliabilityCommandTests/emptyOutIsAUsageError, badOptionValuesExit64,
# ExtractionReliabilityTests/failedExtractionRemovesTheDirectoryItCreated).
check_14_empty_out() {
  mkdir -p "$W/i14/cwd"
  RUN_CWD=$W/i14/cwd run_capped i14-out "$TIMEOUT" "$BAE" extract --model "$TINY" --corpus "$PILE" \
    --hooks resid_post:1 --max-tokens 10 --threads 1 --out ""
  local written
  written=$(find "$W/i14/cwd" -mindepth 1 -maxdepth 1 | wc -l)
  [ "$written" -eq 0 ] || fail "--out \"\": $(describe_rc "$RC"), wrote $written entries into the current directory" ||
    return 1
  [ "$RC" -ne 0 ] && [ "$RC" -lt 124 ] || fail "--out \"\": $(describe_rc "$RC")" || return 1
}

# option_exit_64 NAME OPTION VALUE: extract with OPTION VALUE exits 64.
option_exit_64() {
  run_capped "i14-$1" "$TIMEOUT" "$BAE" extract --model "$TINY" --corpus "$PILE" --hooks resid_post:1 \
    --max-tokens 10 --threads 1 "$2" "$3" --out "$W/i14/$1"
  [ "$RC" -eq 64 ] || fail "$2 $3: $(describe_rc "$RC"), expected 64 (usage error)" || return 1
}

check_14_batch_tokens_0() { option_exit_64 batch --batch-tokens 0; }

check_14_sample_rate_2() { option_exit_64 rate --sample-rate 2; }

check_14_failed_run_leaves_no_directory() {
  mkdir -p "$W/i14"
  : >"$W/i14/empty.txt"
  run_capped i14-empty "$TIMEOUT" "$BAE" "${TINY_EXTRACT[@]}" --corpus "$W/i14/empty.txt" --max-tokens 10 \
    --out "$W/i14/new-out"
  [ "$RC" -ne 0 ] && [ "$RC" -lt 124 ] || fail "empty corpus: $(describe_rc "$RC"), expected an error" || return 1
  [ ! -e "$W/i14/new-out" ] || fail "a failed extract (empty corpus) left the directory it created" || return 1
}

items=${BAE_REPRO_ITEMS:-1 2 3 4 5 6 7 8 9 10 11 12 13 14}
# Notes for the reader go to the script's stderr through fd 3 (each check's own stderr is dropped).
exec 3>&2
echo "bae: $BAE" >&2
echo "work directory: $W" >&2
failed=0
for n in $items; do
  # Each item starts from nothing (a kept WORKDIR may hold an earlier run's files).
  rm -rf "${W:?}/i$n" "$W/i$n-"* "$W/i$n."*
  reasons=()
  for check in $(declare -F | awk -v prefix="check_${n}_" 'index($3, prefix) == 1 {print $3}'); do
    REASON=""
    RUN_CWD=""
    # Bash reports a child killed by a signal on its stderr; the line below says it instead.
    if ! { "$check"; } 2>/dev/null; then reasons+=("${REASON:-$check failed}"); fi
  done
  if [ ${#reasons[@]} -eq 0 ]; then
    echo "item $n: ok"
  else
    joined=${reasons[0]}
    for reason in "${reasons[@]:1}"; do joined+="; $reason"; done
    echo "item $n: FAILED ($joined)"
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ]
