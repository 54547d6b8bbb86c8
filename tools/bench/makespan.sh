#!/usr/bin/env bash
# Makespan of a sweep of runs of known, different lengths against the ideal, with the LPT order
# (cost hint) and without it (file order). Runs sleep (no CPU), so slots may exceed cores.
# Usage: tools/bench/makespan.sh [SLOTS] [BUILD_DIR]
set -euo pipefail
SLOTS=${1:-3}
BUILD=${2:-build}
PLUGIN="$BUILD/tests/libexample_plugin.so"
TMP=$(mktemp -d)
secs="1 1 1 1 2 2 2 3 3 4 5 6"   # file order: shortest first, the worst case for FIFO
{
  echo "study: makespan"
  echo "run:"
  echo "  backbone: {name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}"
  echo "  dataset: {name: synthetic, img_size: 8, num_classes: 3, train_size: 16, val_size: 8, test_size: 8}"
  echo "  train: {epochs: 1, batch_size: 16}"
  echo "zip:   # dataset.seed makes runs of equal length distinct"
  echo "  methods:"
  for s in $secs; do echo "    - [{name: fault, kind: sleep, seconds: $s}]"; done
  echo "  dataset.seed: [$(seq -s, 0 $(( $(echo $secs | wc -w) - 1 )))]"
} > "$TMP/base.yaml"
for mode in lpt fifo; do
  cp "$TMP/base.yaml" "$TMP/$mode.yaml"
  if [ "$mode" = lpt ]; then echo "cost: [methods.0.seconds]" >> "$TMP/$mode.yaml"; else echo "cost: []" >> "$TMP/$mode.yaml"; fi
  t0=$(date +%s.%N)
  "$BUILD/adaptlab" --threads 2 -q --plugin "$PLUGIN" sweep --db "$TMP/$mode.sqlite" --per-device "$SLOTS" \
    --no-progress "$TMP/$mode.yaml"
  t1=$(date +%s.%N)
  read -r total longest < <(sqlite3 -separator ' ' "$TMP/$mode.sqlite" \
    "SELECT sum(value), max(value) FROM summary WHERE name = 'time.wall_s'")
  python3 -c "
span = $t1 - $t0; ideal = max($longest, $total / $SLOTS)
print('%-4s slots=%d makespan %.2f s, ideal (max(longest run, total/slots)) %.2f s, ratio %.3f' % ('$mode', $SLOTS, span, ideal, span / ideal))"
done
rm -rf "$TMP"
