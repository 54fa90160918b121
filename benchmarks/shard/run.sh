#!/usr/bin/env bash
# Overhead of a sharded extraction: one process against N parts run one after the other on the
# same machine (each part as a separate bae process, as a cluster runs them), same total
# --max-tokens, same threads. Prints each run's wall time, the parts' sum (the machine time a
# cluster pays) and maximum (the wall time with one node per part), and the merge's time.
# (With --max-tokens the parts take their rows from all over the corpus, not its start, so the
# merged set is not the single run's rows; without it, it is: see the README.)
# Usage: benchmarks/shard/run.sh [PARTS] [TOKENS] [THREADS] [CORPUS]   (EXTRA="--batch-tokens 512" adds
# bae extract options to every run)
set -euo pipefail
cd "$(dirname "$0")/../.."
parts=${1:-7}
tokens=${2:-20000}
threads=${3:-2}
corpus=${4:-corpora/pile-sample.jsonl.zst}
bae=${BAE:-.build/release/bae}
[[ -x $bae ]] || swift build -c release --product bae >/dev/null
out=$(mktemp -d /tmp/bae-shard-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
grep -m1 -o 'model name.*' /proc/cpuinfo || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2206 # EXTRA is meant to split into words
arguments=(--corpus "$corpus" --hooks resid_post:12 --max-tokens "$tokens" --threads "$threads" ${EXTRA:-})
echo "bae extract ${arguments[*]}"

since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
start=$(date +%s%N)
"$bae" extract "${arguments[@]}" --shard off --out "$out/single" >/dev/null
single=$(since "$start")
echo "1 process: $single s"

sum=0
max=0
times=()
for ((i = 0; i < parts; i++)); do
  start=$(date +%s%N)
  "$bae" extract "${arguments[@]}" --shard "$i/$parts" --out "$out/parts" >/dev/null 2>&1
  t=$(since "$start")
  times+=("$t")
  sum=$(awk -v s="$sum" -v t="$t" 'BEGIN { printf "%.2f", s + t }')
  max=$(awk -v m="$max" -v t="$t" 'BEGIN { printf "%.2f", (t > m ? t : m) }')
done
ratio=$(awk -v s="$sum" -v o="$single" 'BEGIN { printf "%.2f", s / o }')
echo "$parts parts: ${times[*]} s; sum $sum s (${ratio}× one process), max $max s"
start=$(date +%s%N)
"$bae" features merge "$out/parts" --verify
echo "merge --verify: $(since "$start") s"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
