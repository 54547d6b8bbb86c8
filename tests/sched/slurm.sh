#!/usr/bin/env bash
# The Slurm launcher against a real single-node Slurm (slurmctld + slurmd + munged on this machine,
# started here): an sbatch --array job runs 3 shards of a 6-run sweep, `results merge` folds the
# shard databases into one. Exit 77 (CTest: skipped) when not root or slurm-wlm is not installed.
# Usage: slurm.sh ADAPTLAB PLUGIN FIXTURES TMPDIR REPO PYTHON
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4 REPO=$5 PY=$6
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

# Stages: runs that start from runs of the same sweep. One array job per stage (2 shards each), each
# after the one before (afterok); a stage's tasks find the earlier stages' runs done and load their
# tensors; merging every shard gives the whole study.
out=$("$CLI" sweep "$FIX/slurm_stages_sweep.yaml" --launcher slurm --shards 2 --cpus-per-task 1 --time 00:10:00 \
        --slurm-dir "$TMP/stages" --db "$TMP/stages.sqlite")
echo "$out"
jobs=$(echo "$out" | sed -n 's/^submitted job \([0-9]*\) (stage.*$/\1/p' | tr '\n' ' ')
[ "$(echo $jobs | wc -w)" = 3 ] || { echo "FAIL: not 3 stage jobs: $jobs"; exit 1; }
echo "$out" | grep -q "submitted job [0-9]* (stage 2, after the stage before ends ok)" || { echo "FAIL: stage 2 not chained"; exit 1; }
for _ in $(seq 1 900); do  # at most 180 s
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h 2>/dev/null)" ] || { echo "FAIL: stage jobs still queued"; squeue; exit 1; }
for s in 0 1 2; do
  for i in 0 1; do
    [ -f "$TMP/stages/shard-s$s-$i.sqlite" ] || { echo "FAIL: no database of stage $s shard $i"; cat "$TMP/stages/shard-s$s-$i.out"; exit 1; }
  done
done
"$CLI" results merge --into "$TMP/stages.sqlite" "$TMP/stages"/shard-*.sqlite || exit 1
got=$(sqlite3 "$TMP/stages.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'")
[ "$got" = 6 ] || { echo "FAIL: $got stage runs done after the merge, expected 6: $(sqlite3 "$TMP/stages.sqlite" "SELECT id, status, error FROM runs")"; exit 1; }
# Each later-stage run started after the run it loads from ended (in another array job).
got=$(sqlite3 "$TMP/stages.sqlite" "SELECT count(*) FROM runs d JOIN runs p ON p.id = json_extract(d.config_json, '$.init[0].resolved_run') WHERE d.started_at >= p.finished_at")
[ "$got" = 4 ] || { echo "FAIL: $got of 4 dependents started after their dependency"; exit 1; }
# ... and loaded its tensors (saved by another array job's task): lr 1e-12 / 1e-11 keep them.
"$PY" - "$TMP/stages.sqlite" <<'PYEOF' || { echo "FAIL: a later stage did not start from its dependency's tensors"; exit 1; }
import sqlite3, sys
from safetensors.numpy import load_file
db = sqlite3.connect(sys.argv[1])
path = dict(db.execute("SELECT run_id, path FROM artifacts WHERE name = 'trained'").fetchall())
pairs = db.execute("SELECT id, json_extract(config_json, '$.init[0].resolved_run') FROM runs "
                   "WHERE json_extract(config_json, '$.init[0].resolved_run') IS NOT NULL").fetchall()
assert len(pairs) == 4, pairs
for dep, src in pairs:
    a, b = load_file(path[dep]), load_file(path[src])
    worst = max(float(abs(a[k].astype("float64") - b[k].astype("float64")).max()) for k in a)
    assert a.keys() == b.keys() and worst < 1e-8, (dep, src, worst)  # random inits differ by ~1e-1
PYEOF
"$CLI" sweep --db "$TMP/stages.sqlite" --dry-run "$FIX/slurm_stages_sweep.yaml" | grep -q "6 of 6 already done" ||
  { echo "FAIL: merged stage ids differ"; exit 1; }
echo "slurm: 3 stages as 3 chained array jobs; merged 6 done runs"
