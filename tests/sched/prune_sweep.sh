#!/usr/bin/env bash
# The pruning methods end to end: trained, pruned during training, saved, and measured after and before
# their pruning by the measurement phase (which reloads the saved tensors into a freshly built model:
# the pruning replays).
# Usage: prune_sweep.sh ADAPTLAB FIXTURES TMPDIR
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/pruned.sqlite"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$DB" "$1"; }
v() { q "SELECT s.value FROM summary s JOIN runs r ON r.id = s.run_id WHERE r.methods = '$1' AND s.name = '$2'"; }
check() { local got; got=$(q "$1"); [ "$got" = "$2" ] || fail "$1 -> '$got', expected '$2'"; }
"$CLI" sweep --db "$DB" --no-progress "$FIX/prune_sweep.yaml" >"$TMP/out" 2>&1 || fail "sweep exited $?: $(tail -5 "$TMP/out")"
check "SELECT count(*) FROM runs WHERE status = 'done' AND measure_status = 'done'" 3
# Structured: half of each block's 4 heads, half of all 256 units; smaller and cheaper than before.
[ "$(v lora+structured_prune prune.heads_kept)" = 4.0 ] || fail "structured heads kept: $(v lora+structured_prune prune.heads_kept)"
[ "$(v lora+structured_prune prune.units_kept)" = 128.0 ] || fail "structured units kept"
for m in lora+structured_prune lightpeft; do
  awk -v a="$(v $m flops.forward)" -v b="$(v $m flops.forward.before_prune)" 'BEGIN { exit !(a > 0 && a < b) }' ||
    fail "$m: flops.forward $(v $m flops.forward) not below before_prune $(v $m flops.forward.before_prune)"
  awk -v a="$(v $m params.total)" -v b="$(v $m params.total.before_prune)" 'BEGIN { exit !(a < b) }' ||
    fail "$m: params.total not below before_prune"
  [ -n "$(v $m time.step.train.before_prune)" ] || fail "$m: no time.step.train.before_prune"
done
[ -n "$(v lightpeft prune.modules_kept)" ] || fail "lightpeft recorded no pruning"
# Magnitude: exactly half of the qkv weights zero; no FLOP change (dense kernels).
[ "$(v lora+magnitude_prune prune.sparsity)" = 0.5 ] || fail "magnitude sparsity: $(v lora+magnitude_prune prune.sparsity)"
[ "$(v lora+magnitude_prune flops.forward)" = "$(v lora+magnitude_prune flops.forward.before_prune)" ] ||
  fail "magnitude changed the FLOPs"
[ "$fails" = 0 ] && echo "pruning runs: pruned in training, measured after and before, reloaded with their structure"
exit "$fails"
