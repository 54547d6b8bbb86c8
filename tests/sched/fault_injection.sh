#!/usr/bin/env bash
# Real child processes that segfault, abort, exit non-zero, hang past the time-out and diverge
# (NaN loss): each run must end in the right status while the healthy one finishes.
# Usage: fault_injection.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/faults.sqlite"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --timeout 8 --per-device 3 --no-progress "$FIX/fault_sweep.yaml"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: expected exit code 2 (some runs not done), got $rc"; exit 1; }
fails=0
expect() {  # kind, expected status, SQL LIKE pattern the error must match
  local row
  row=$(sqlite3 -separator '|' "$DB" "SELECT r.status, replace(coalesce(r.error,''), char(10), ' ') FROM runs r
        JOIN params p ON p.study = r.study AND p.run_id = r.id AND p.key = 'methods.0.kind' WHERE p.value = '\"$1\"'")
  local status=${row%%|*} error=${row#*|}
  if [ "$status" != "$2" ]; then echo "FAIL: kind $1: status '$status', expected '$2' ($error)"; fails=1; return; fi
  # shellcheck disable=SC2053
  if [[ "$error" != $3 ]]; then echo "FAIL: kind $1: error '$error' does not match '$3'"; fails=1; return; fi
  echo "ok: kind $1 -> $2"
}
expect none done ''
expect segfault failed 'killed by signal 11 (Segmentation fault)*'
expect abort failed 'killed by signal 6 (Aborted)*'
expect exit failed 'exited with code 3*'
expect hang timed-out 'killed after the time-out of 8 s*'
expect nan failed 'exited with code 1: training diverged: loss is nan at step 1*'
[ "$(sqlite3 "$DB" "SELECT count(*) FROM summary WHERE name = 'test.acc'")" = 1 ] || { echo "FAIL: summary rows"; fails=1; }
[ "$fails" = 0 ] && echo "fault injection: every run ended in its expected status"
exit "$fails"
