#!/usr/bin/env bash
# train.checkpoint_every: kill -9 the driver and its child mid-training after a checkpoint, then resume:
# the run continues from its checkpoint (attempt 2, train.resumed_from_step > 0) and records the same
# train losses, evaluations and trained tensors as the same run trained without interruption.
# Then SIGTERM to the driver (as a time limit sends), and SIGUSR1 (Slurm's warning before one): the child saves a checkpoint after the step in
# progress (mid-epoch), the run is cancelled, and the next sweep resumes it from that step, again identical.
# Usage: checkpoint_resume.sh ADAPTLAB FIXTURES TMPDIR
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
SWEEP="$FIX/checkpoint_sweep.yaml"
"$CLI" sweep --db "$TMP/ref.sqlite" --no-progress "$SWEEP" >/dev/null 2>&1 || { echo "FAIL: reference sweep"; exit 1; }
DB="$TMP/cut.sqlite"
"$CLI" sweep --db "$DB" --no-progress "$SWEEP" >/dev/null 2>&1 &
driver=$!
ckpt=""
for _ in $(seq 1 6000); do  # until the first checkpoint exists (at most 120 s)
  ckpt=$(ls "$TMP"/cut.artifacts/*/checkpoint.safetensors 2>/dev/null | head -1)
  [ -n "$ckpt" ] && break
  sleep 0.02
done
child=$(pgrep -P "$driver" | head -1)
kill -9 "$driver"
[ -n "$child" ] && kill -9 "$child"
wait "$driver" 2>/dev/null
[ -n "$ckpt" ] && [ -n "$child" ] || { echo "FAIL: no checkpoint (or no child) to interrupt"; exit 1; }
q() { sqlite3 "$1" "$2" 2>/dev/null; }
status=$(q "$DB" "SELECT status FROM runs")
[ "$status" = running ] || { echo "FAIL: the kill did not land mid-run (status '$status')"; exit 1; }
"$CLI" sweep --db "$DB" --no-progress "$SWEEP" >/dev/null 2>&1 || { echo "FAIL: resume exited non-zero"; exit 1; }
fails=0
check() { [ "$1" = "$2" ] || { echo "FAIL: $3: '$1', expected '$2'"; fails=1; }; }
check "$(q "$DB" "SELECT status || ' ' || attempt FROM runs")" "done 2" "status and attempt"
from=$(q "$DB" "SELECT CAST(value AS INTEGER) FROM summary WHERE name = 'train.resumed_from_step'")
[ "${from:-0}" -gt 0 ] || { echo "FAIL: train.resumed_from_step is '$from'"; fails=1; }
check "$(q "$TMP/ref.sqlite" "SELECT value FROM summary WHERE name = 'train.resumed_from_step'")" "0.0" "reference start"
metrics="SELECT step, split, name, printf('%.17g', value), printf('%.17g', epoch) FROM metrics ORDER BY step, split, name"
q "$TMP/ref.sqlite" "$metrics" >"$TMP/ref.txt"
q "$DB" "$metrics" >"$TMP/cut.txt"
[ -s "$TMP/ref.txt" ] && cmp -s "$TMP/ref.txt" "$TMP/cut.txt" || {
  echo "FAIL: the resumed run's metrics differ:"; diff "$TMP/ref.txt" "$TMP/cut.txt" | head; fails=1; }
summary="SELECT name, printf('%.17g', value) FROM summary WHERE name LIKE 'val.%' OR name LIKE 'test.%' ORDER BY name"
check "$(q "$DB" "$summary")" "$(q "$TMP/ref.sqlite" "$summary")" "final val/test summary"
check "$(sha256sum "$TMP"/cut.artifacts/*/trained.safetensors | cut -d' ' -f1)" \
  "$(sha256sum "$TMP"/ref.artifacts/*/trained.safetensors | cut -d' ' -f1)" "trained tensors"
[ -e "$ckpt" ] && { echo "FAIL: the checkpoint is left after training"; fails=1; }
[ "$fails" = 0 ] && echo "kill -9 after a checkpoint + resume (from step $from): $(wc -l <"$TMP/ref.txt") metric rows and the trained tensors identical"

# Then SIGTERM, and SIGUSR1 (the warning Slurm sends with --signal=B:USR1@T), to the driver.
for sig in TERM USR1; do
  DB="$TMP/$sig.sqlite"
  "$CLI" sweep --db "$DB" --no-progress "$SWEEP" >/dev/null 2>&1 &
  driver=$!
  for _ in $(seq 1 6000); do
    ls "$TMP"/$sig.artifacts/*/checkpoint.safetensors >/dev/null 2>&1 && break
    sleep 0.02
  done
  kill -"$sig" "$driver"
  wait "$driver" 2>/dev/null
  check "$(q "$DB" "SELECT status FROM runs")" "cancelled" "status after SIG$sig"
  grep -q "training stopped at step" "$TMP"/$sig.logs/*.log || { echo "FAIL: the child did not save on SIG$sig"; fails=1; }
  "$CLI" sweep --db "$DB" --no-progress "$SWEEP" >/dev/null 2>&1 || { echo "FAIL: resume after SIG$sig exited non-zero"; exit 1; }
  check "$(q "$DB" "SELECT status || ' ' || attempt FROM runs")" "done 2" "status and attempt after SIG$sig"
  from=$(q "$DB" "SELECT CAST(value AS INTEGER) FROM summary WHERE name = 'train.resumed_from_step'")
  [ "${from:-0}" -gt 0 ] || { echo "FAIL: train.resumed_from_step after SIG$sig is '$from'"; fails=1; }
  q "$DB" "$metrics" >"$TMP/$sig.txt"
  cmp -s "$TMP/ref.txt" "$TMP/$sig.txt" || {
    echo "FAIL: the run resumed after SIG$sig records other metrics:"; diff "$TMP/ref.txt" "$TMP/$sig.txt" | head; fails=1; }
  check "$(sha256sum "$TMP"/$sig.artifacts/*/trained.safetensors | cut -d' ' -f1)" \
    "$(sha256sum "$TMP"/ref.artifacts/*/trained.safetensors | cut -d' ' -f1)" "trained tensors after SIG$sig"
  [ "$fails" = 0 ] && echo "SIG$sig + resume (from step $from, mid-epoch: $((from % 20)) of 20): metrics and trained tensors identical"
done
exit "$fails"
