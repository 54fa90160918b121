#!/bin/bash
# Submits a sharded `bae extract` to Slurm: an array job of N tasks (scripts/cluster/extract.sbatch,
# one part each) and a merge job that runs once every task has succeeded
# (--dependency=afterok), then prints both job ids.
#
#   scripts/cluster/submit.sh --parts 7 [--verify] [--sbatch "ARGS"] [--merge-sbatch "ARGS"] -- \
#       --model M --corpus C --hooks resid_post:12 --out /shared/l12
#
# Everything after `--` goes to `bae extract` (OUT must be on storage every node sees).
# --sbatch adds sbatch options to the array job (e.g. "--partition=cpu --cpus-per-task=16"),
# --merge-sbatch to the merge job; --verify makes the merge check every shard's SHA-256.
# BAE names the bae binary (default: bae on PATH); it is exported to the jobs.
# Prints "ARRAY_JOB_ID MERGE_JOB_ID". If a task fails for good, the merge job is cancelled
# (kill-on-invalid-dep); fix the cause and resubmit: finished parts are kept, and tasks that
# find their part's manifest resume it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
parts=""
verify=""
sbatch_args=""
merge_args=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --parts) parts=$2; shift 2 ;;
    --verify) verify=--verify; shift ;;
    --sbatch) sbatch_args=$2; shift 2 ;;
    --merge-sbatch) merge_args=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "submit.sh: unknown option $1 (bae extract's arguments go after --)" >&2; exit 2 ;;
  esac
done
[[ $parts =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: give --parts N (N ≥ 1)" >&2; exit 2; }

out=""
arguments=("$@")
for ((i = 0; i < ${#arguments[@]}; i++)); do
  case ${arguments[i]} in
    --out) out=${arguments[i + 1]:-} ;;
    --out=*) out=${arguments[i]#--out=} ;;
  esac
done
[[ -n $out ]] || { echo "submit.sh: give bae extract's --out OUT after --" >&2; exit 2; }

export BAE=${BAE:-bae}
# shellcheck disable=SC2086 # the sbatch option strings are meant to split into words
array=$(sbatch --parsable --export=ALL --array="0-$((parts - 1))" $sbatch_args "$here/extract.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --export=ALL --job-name=bae-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="bae-merge-%j.log" $merge_args --wrap "$(printf '%q ' "$BAE" features merge "$out" $verify)")
merge=${merge%%;*}
echo "$array $merge"
