#!/usr/bin/env bash
# The Slurm launcher against a real single-node Slurm (slurmctld + slurmd + munged on this machine,
# started here): an sbatch --array job runs 3 shards of a 6-run sweep, `results merge` folds the
# shard databases into one. Exit 77 (CTest: skipped) when not root or slurm-wlm is not installed.
# Usage: slurm.sh ADAPTLAB PLUGIN FIXTURES TMPDIR REPO
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4 REPO=$5
if [ "$(id -u)" != 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "skipped: needs root and Debian's slurm-wlm + munge (tools/run-tests.sh installs them)"
  exit 77
fi
rm -rf "$TMP" && mkdir -p "$TMP"
CLUSTER="$TMP/cluster"
trap '"$REPO/tools/slurm/local-cluster.sh" stop "$CLUSTER"' EXIT
eval "$("$REPO/tools/slurm/local-cluster.sh" start "$CLUSTER")" || { echo "FAIL: could not start Slurm"; exit 1; }
cd "$TMP"
out=$("$CLI" --plugin "$PLUGIN" sweep "$FIX/sleep_sweep.yaml" 'methods=[{name: fault, kind: none}]' \
        --launcher slurm --shards 3 --cpus-per-task 1 --time 00:10:00 --slurm-dir "$TMP/slurm job" --db "$TMP/study.sqlite")
echo "$out"
job=$(echo "$out" | sed -n 's/^submitted job \([0-9]*\)$/\1/p')
[ -n "$job" ] || { echo "FAIL: no job id"; exit 1; }
for _ in $(seq 1 600); do  # at most 120 s
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || { echo "FAIL: job $job still queued"; squeue; exit 1; }
fails=0
for i in 0 1 2; do
  [ -f "$TMP/slurm job/shard-$i.sqlite" ] || { echo "FAIL: no shard $i database"; cat "$TMP/slurm job/shard-$i.out"; fails=1; }
done
[ "$fails" = 0 ] || exit 1
"$CLI" results merge --into "$TMP/study.sqlite" "$TMP/slurm job"/shard-*.sqlite || exit 1
got=$(sqlite3 "$TMP/study.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'")
[ "$got" = 6 ] || { echo "FAIL: $got runs done after the merge, expected 6"; exit 1; }
"$CLI" --plugin "$PLUGIN" sweep --db "$TMP/study.sqlite" --dry-run "$FIX/sleep_sweep.yaml" \
  'methods=[{name: fault, kind: none}]' | grep -q "6 of 6 already done" || { echo "FAIL: merged ids differ"; exit 1; }
echo "slurm: array job $job ran 3 shards; merged 6 done runs"
