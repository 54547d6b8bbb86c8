#!/usr/bin/env bash
# Scheduler overhead per run on trivial runs: N tiny runs (default 100) through `adaptlab sweep`
# with one slot. Reports the median per-run process overhead (driver-measured wall time of the
# child minus the child's own execute time) and the whole sweep's time per run minus the mean
# execute time (process start + LibTorch load + config resolution + events + the store).
# Usage: tools/bench/sched_overhead.sh [N] [BUILD_DIR]
set -euo pipefail
N=${1:-100}
BUILD=${2:-build}
TMP=$(mktemp -d)
cat > "$TMP/sweep.yaml" <<YAML
study: overhead
run:
  backbone: {name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}
  dataset: {name: synthetic, img_size: 8, num_classes: 3, train_size: 16, val_size: 8, test_size: 8}
  methods: [linear]
  train: {epochs: 1, batch_size: 16}
seeds: $N
YAML
t0=$(date +%s.%N)
"$BUILD/adaptlab" --threads 1 -q sweep --db "$TMP/o.sqlite" --no-progress "$TMP/sweep.yaml"
t1=$(date +%s.%N)
sqlite3 "$TMP/o.sqlite" "SELECT w.value, r.value FROM summary w JOIN summary r ON r.run_id = w.run_id
  AND w.name = 'time.wall_s' AND r.name = 'time.run_s'" | python3 -c "
import statistics, sys
rows = [tuple(map(float, l.split('|'))) for l in sys.stdin if l.strip()]
wall = $t1 - $t0
over = [w - r for w, r in rows]
mean_run = statistics.mean(r for _, r in rows)
print('runs: %d (one slot)' % len(rows))
print('median child overhead (driver-measured wall - child execute time): %.3f s' % statistics.median(over))
print('mean execute time of a trivial run: %.3f s' % mean_run)
print('sweep wall per run: %.3f s, of which overhead (everything but execute): %.3f s' % (wall / len(rows), wall / len(rows) - mean_run))
"
rm -rf "$TMP"
