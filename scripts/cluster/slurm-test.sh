#!/bin/bash
# A real Slurm test of the cluster recipe, on one machine: installs Debian's Slurm and munge
# (as root), starts a single-node cluster on loopback with its own configuration in a
# temporary directory, submits scripts/cluster/extract.sbatch as a 3-task array plus the
# dependent merge job through scripts/cluster/submit.sh on the tiny fixture model and a small
# corpus, submits them again (each task then resumes its finished part), and checks that the
# merged set holds exactly the rows of a single-process run (`bae features compare`). The daemons it started are stopped on exit, whatever happens.
#
#   bash scripts/cluster/slurm-test.sh            # needs root; builds bae (debug) if BAE is unset
#   BAE=.build/release/bae bash scripts/cluster/slurm-test.sh
#
# Exit status 0 when the merged set equals the single-process run; prints the time taken.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
started=$(date +%s)

[[ $(id -u) == 0 ]] || { echo "slurm-test: needs root (installs packages, runs slurmd)" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
  || ! command -v munged >/dev/null; then
  echo "slurm-test: installing slurmctld slurmd slurm-client munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge \
    >/dev/null
fi

if [[ -z ${BAE:-} ]]; then
  swift build --product bae >/dev/null
  BAE=$root/.build/debug/bae
fi
BAE=$(cd "$(dirname "$BAE")" && pwd)/$(basename "$BAE")
export BAE
[[ -x $BAE ]] || { echo "slurm-test: no bae binary at $BAE" >&2; exit 2; }

work=$(mktemp -d /tmp/bae-slurm-test.XXXXXX)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if [[ $status != 0 ]]; then
    echo "slurm-test: FAILED; logs:" >&2
    tail -n 20 "$work"/log/*.log "$work"/jobs/*.log 2>/dev/null >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
mkdir -p "$work"/{spool/ctld,spool/d,log,run,jobs}

# munge: one key, a daemon (reused when one already runs).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [[ ! -s /etc/munge/munge.key ]]; then
    runuser -u munge -- mungekey -c -k /etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- munged
  for _ in $(seq 50); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.1; done
  pids+=("$(cat /run/munge/munged.pid)")
  munge -n | unmunge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=baetest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF

slurmctld -f "$SLURM_CONF"
for _ in $(seq 50); do [[ -s $work/run/slurmctld.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$work/run/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 50); do [[ -s $work/run/slurmd.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$work/run/slurmd.pid")")
state=""
for _ in $(seq 120); do
  state=$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)
  [[ $state == idle ]] && break
  sleep 0.5
done
[[ $state == idle ]] || { echo "slurm-test: the node is '$state', not idle, after 60 s" >&2; exit 1; }
echo "slurm-test: cluster up in $(($(date +%s) - started)) s" >&2

# A small corpus: 400 lines of the shipped bookcorpus sample, and a tar.gz of members.
corpus=$work/corpus
mkdir -p "$corpus/sub"
# (head closes the pipe early: gzip's SIGPIPE is expected, so check the lines instead.)
gzip -dc corpora/bookcorpus-sample.txt.gz 2>/dev/null | head -n 400 >"$corpus/sub/books.txt" || true
[[ $(wc -l <"$corpus/sub/books.txt") == 400 ]] || { echo "slurm-test: cannot read the bookcorpus sample" >&2; exit 1; }
cp Tests/CorporaTests/Resources/docs.tar.gz "$corpus/"
model=$root/Tests/ModelsTests/Resources/tiny-extract
extract_args=(--model "$model" --corpus "$corpus" --hooks resid_post:all,mlp_in:1 --context 64 --batch-tokens 256
  --shard-tokens 1000 --threads 1)

"$BAE" extract "${extract_args[@]}" --shard off --out "$work/single" >/dev/null

cd "$work/jobs"
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
# Submits the array and the merge, and waits for the merge to end.
submit_and_wait() {
  local array merge state=""
  read -r array merge < <(bash "$root/scripts/cluster/submit.sh" --parts 3 --verify \
    --sbatch "--cpus-per-task=1 --mem=1G --time=10:00" --merge-sbatch "--mem=1G --time=10:00" -- \
    "${extract_args[@]}" --out "$work/sharded")
  echo "slurm-test: submitted array job $array and merge job $merge" >&2
  for _ in $(seq 600); do
    state=$(job_state "$merge")
    case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    sleep 0.5
  done
  # sbatch --wait would report 0 for a merge cancelled by a failed dependency: check the state.
  [[ $state == COMPLETED ]] || { echo "slurm-test: merge job $merge ended $state" >&2; exit 1; }
}
submit_and_wait
# Submitted again (as after a failure), every task finds its part's manifest and resumes it
# (here: already complete), and the merge runs again.
submit_and_wait
[[ $(grep -c -- "--resume" "$work"/jobs/bae-extract-*.log | awk -F: '{s += $NF} END {print s}') == 3 ]] \
  || { echo "slurm-test: the resubmitted tasks did not resume their parts" >&2; exit 1; }
for task in 0 1 2; do
  [[ -s $work/sharded/$(printf 'part-%05d' $task)/manifest.json ]] \
    || { echo "slurm-test: part $task wrote no manifest" >&2; exit 1; }
done
grep -h "part .* (from SLURM_ARRAY_TASK_ID)" "$work"/jobs/bae-extract-*.log | sort | uniq -c >&2

"$BAE" features info "$work/sharded" >&2
"$BAE" features compare "$work/sharded" "$work/single" --tolerance 1e-5 --json
echo "slurm-test: ok: 3 Slurm array tasks + merge equal the single-process run ($(($(date +%s) - started)) s in all)" >&2
