#!/usr/bin/env bash
# Ctrl-C (SIGINT) to the sweep driver: once = no new runs start and the running ones finish (done);
# twice = the running ones are killed and marked cancelled. Nothing half-written either way.
# Usage: interrupt.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
wait_running() {  # until N runs are 'running' (at most 30 s)
  for _ in $(seq 1 300); do
    [ "$(sqlite3 "$1" "SELECT count(*) FROM runs WHERE status = 'running'" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
check() { local got; got=$(sqlite3 "$1" "$2"); [ "$got" = "$3" ] || { echo "FAIL: $2 -> '$got', expected '$3'"; fails=1; }; }

# Once: the two running runs finish, the other four never start.
DB="$TMP/once.sqlite"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" &
driver=$!
wait_running "$DB" 2 || { echo "FAIL: two runs never started"; exit 1; }
kill -INT "$driver"
wait "$driver"; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: exit code $rc after one Ctrl-C, expected 2"; fails=1; }
check "$DB" "SELECT count(*) FROM runs WHERE status = 'done'" 2
check "$DB" "SELECT count(*) FROM runs" 2
check "$DB" "SELECT count(*) FROM summary WHERE name = 'test.acc'" 2

# Twice: the running runs are killed and marked cancelled, with no summary.
DB="$TMP/twice.sqlite"
SLOW="methods=[{name: fault, kind: sleep, seconds: 30, unless_file: '$TMP/quick'}]"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" "$SLOW" &
driver=$!
wait_running "$DB" 2 || { echo "FAIL: two runs never started"; exit 1; }
kill -INT "$driver"; sleep 0.3; kill -INT "$driver"
wait "$driver"; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: exit code $rc after two Ctrl-C, expected 2"; fails=1; }
check "$DB" "SELECT group_concat(status) FROM runs" "cancelled,cancelled"
check "$DB" "SELECT count(*) FROM summary WHERE name = 'test.acc'" 0
check "$DB" "SELECT count(*) FROM runs WHERE error = 'cancelled by the user (second Ctrl-C)'" 2
# A cancelled run did not fail: a plain resume runs the cancelled runs again (attempt 2) and the four
# that never started too (issue 25, 15: the main job must be able to finish after an interrupt).
touch "$TMP/quick"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --dry-run "$FIX/sleep_sweep.yaml" "$SLOW" | grep -q "0 of 6 already done" ||
  { echo "FAIL: dry run"; fails=1; }
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" "$SLOW" >"$TMP/resume.out" 2>&1
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: exit code $rc of a resume after 2 cancelled runs, expected 0"; cat "$TMP/resume.out"; fails=1; }
grep -q "2 run(s) cancelled earlier (interrupted, not failed) run again" "$TMP/resume.out" ||
  { echo "FAIL: the resume does not say the cancelled runs run again"; cat "$TMP/resume.out"; fails=1; }
check "$DB" "SELECT count(*) FROM runs WHERE status = 'done'" 6
check "$DB" "SELECT group_concat(attempt, ',') FROM (SELECT attempt FROM runs ORDER BY attempt DESC)" "2,2,1,1,1,1"

# SIGTERM (timeout, Slurm's time limit): the running runs are killed at once, recorded with the signal's
# name, and run again by a plain resume.
rm -f "$TMP/quick"
DB="$TMP/term.sqlite"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" "$SLOW" &
driver=$!
wait_running "$DB" 2 || { echo "FAIL: two runs never started (SIGTERM case)"; exit 1; }
kill -TERM "$driver"
wait "$driver"; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: exit code $rc after SIGTERM, expected 2"; fails=1; }
check "$DB" "SELECT group_concat(status) FROM runs" "cancelled,cancelled"
check "$DB" "SELECT count(*) FROM runs WHERE error LIKE 'killed when the sweep driver received SIGTERM%'" 2
touch "$TMP/quick"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" "$SLOW" >/dev/null 2>&1 ||
  { echo "FAIL: the resume after SIGTERM exited $?"; fails=1; }
check "$DB" "SELECT count(*) FROM runs WHERE status = 'done'" 6
[ "$fails" = 0 ] && echo "Ctrl-C once: 2 done, 4 not started; twice: 2 cancelled, then re-run by a plain resume; SIGTERM: named, re-run"
exit "$fails"
