#!/usr/bin/env bash
# Watching a sweep: progress lines in the driver's output (not a terminal) and in each run's log
# (`tail -f`), and `adaptlab status` from another process showing the running run's epoch and loss
# while the sweep writes the database, without blocking it (the sweep still ends with every run done).
# Usage: live_status.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/slow.sqlite"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --progress-every 1 "$FIX/slow_sweep.yaml" >"$TMP/out" 2>&1 &
driver=$!
seen=0
for _ in $(seq 1 150); do
  if [ -f "$DB" ] && "$CLI" status --db "$DB" >"$TMP/status" 2>&1; then
    if grep -q "sweep running (pid $driver" "$TMP/status" && grep -Eq "epoch [0-9.]+/2 · step [0-9]+/12 .*loss [0-9.]+" "$TMP/status"; then
      seen=1
      # Status is read-only: a busy loop of readers while the driver writes.
      for _ in $(seq 1 20); do "$CLI" status --db "$DB" >/dev/null 2>&1 || fail "status failed while the sweep ran"; done
      break
    fi
  fi
  sleep 0.2
done
[ "$seen" = 1 ] || fail "status never showed the running run's progress: $(cat "$TMP/status")"
wait "$driver"
rc=$?
[ "$rc" = 0 ] || fail "the sweep exited $rc while status read its database: $(tail -5 "$TMP/out")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM runs WHERE status = 'done'")" = 2 ] || fail "not every run is done"
grep -Eq "^  fault \[cpu\] epoch [0-9.]+/2 · step [0-9]+/12 · [0-9.e+]+ steps/s · loss [0-9.]+" "$TMP/out" ||
  fail "no per-run progress lines in the driver's output: $(cat "$TMP/out")"
grep -Eq "ETA [0-9]+s" "$TMP/out" || fail "no ETA in the driver's output"
log=$(sqlite3 "$DB" "SELECT log_path FROM runs LIMIT 1")
grep -Eq "^\[progress\] epoch 2.0/2 · step 12/12 .*val.acc [0-9.]+" "$log" || fail "the run's log has no progress lines: $(cat "$log")"
"$CLI" status --db "$DB" >"$TMP/status" 2>&1
grep -q "no sweep is running; the last one (pid $driver" "$TMP/status" || fail "status after the sweep: $(cat "$TMP/status")"
grep -q "2 runs · 2 done" "$TMP/status" || fail "status counts: $(cat "$TMP/status")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM run_progress")" = 2 ] || fail "run_progress rows: $(sqlite3 "$DB" "SELECT * FROM run_progress")"
[ "$fails" = 0 ] && echo "live status: progress in the driver's output, the run logs and adaptlab status"
exit "$fails"
