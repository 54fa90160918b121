#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Tests/Fuzz and runs each for SECONDS (default 60), then
# prints one line per harness: executions per second, coverage (cov, ft) and crashes found.
#
#   bash scripts/fuzz.sh [SECONDS]
#   FUZZ_HARNESSES="gguf safetensors" bash scripts/fuzz.sh 30     # a subset
#
# The build uses its own scratch directory (.build-fuzz) with -sanitize=fuzzer,address, so it
# never disturbs the normal .build. Each harness keeps its growing corpus in
# .build-fuzz/fuzz/<harness>/corpus (seeded from Tests/Fuzz/<harness>/seeds) and writes crashing
# inputs to .build-fuzz/fuzz/<harness>/artifacts/. Exit status: 0 when no harness crashed.
# A crash is reproduced without the fuzzer by a plain build's replayer:
#   swift build --product bae-fuzz && .build/debug/bae-fuzz <harness> <crash-file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
scratch=".build-fuzz"
read -ra harnesses <<<"${FUZZ_HARNESSES:-safetensors gguf tokenizer-json config-json jsonl csv manifest shard}"

echo "building bae-fuzz with -sanitize=fuzzer,address in $scratch ..."
build_start=$(date +%s)
mkdir -p "$scratch"
# ld.gold notes that it cannot export the sanitizer's local symbols; harmless, so filtered.
if ! swift build --scratch-path "$scratch" --product bae-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DBAE_FUZZING >"$scratch/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$scratch/build.log" >&2 || true
  echo "fuzz build failed" >&2
  exit 1
fi
grep -v "Cannot export local symbol" "$scratch/build.log" | tail -2 || true
echo "build: $(($(date +%s) - build_start)) s"
binary="$scratch/debug/bae-fuzz"

crashed=0
rows=()
for harness in "${harnesses[@]}"; do
  seeds="Tests/Fuzz/$harness/seeds"
  [ -d "$seeds" ] || { echo "no seeds for harness $harness ($seeds)" >&2; exit 64; }
  work="$scratch/fuzz/$harness"
  mkdir -p "$work/corpus" "$work/artifacts"
  log="$work/log.txt"
  echo "fuzzing $harness for $seconds s ..."
  status=0
  # Leak checks stay on (memory a parser loses on every input is a finding too), except for the
  # toolchain leaks listed in Tests/Fuzz/lsan.supp.
  LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan.supp:print_suppressions=0" BAE_FUZZ_HARNESS="$harness" "$binary" "$work/corpus" "$seeds" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  findings=$(find "$work/artifacts" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    crashed=1
    echo "  $harness: exit $status, $findings finding(s) in $work/artifacts (log: $log)"
    grep -m3 -E "ERROR|Fatal error|Precondition failed|deadly signal" "$log" | sed 's/^/    /' || true
  fi
  rows+=("$(printf '%-15s %12s %10s %8s %8s %8s' "$harness" "${executions:-?}" "${rate:-?}" "${coverage:-?}" \
    "${features:-?}" "$findings")")
done

echo
printf '%-15s %12s %10s %8s %8s %8s\n' harness executions "execs/s" cov ft crashes
printf '%s\n' "${rows[@]}"
exit "$crashed"
