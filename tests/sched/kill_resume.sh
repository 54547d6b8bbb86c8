#!/usr/bin/env bash
# kill -9 of the sweep driver mid-sweep, then resume: every run ends done exactly once, with no
# duplicate rows. Usage: kill_resume.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/sleepy.sqlite"
q() { sqlite3 "$DB" "$1" 2>/dev/null; }
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" &
driver=$!
for _ in $(seq 1 600); do  # wait until at least one run is done (at most 60 s)
  [ "$(q "SELECT count(*) FROM runs WHERE status = 'done'")" -ge 1 ] 2>/dev/null && break
  sleep 0.1
done
kill -9 "$driver"
wait "$driver" 2>/dev/null
done_before=$(q "SELECT count(*) FROM runs WHERE status = 'done'")
running_before=$(q "SELECT count(*) FROM runs WHERE status = 'running'")
echo "killed the driver with $done_before done and $running_before running"
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] || { echo "FAIL: the kill did not land mid-sweep"; exit 1; }
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" || {
  echo "FAIL: resume exited non-zero"; exit 1; }
fails=0
check() { local got; got=$(q "$1"); [ "$got" = "$2" ] || { echo "FAIL: $1 -> '$got', expected '$2'"; fails=1; }; }
check "SELECT count(*) FROM runs" 6
check "SELECT count(*) FROM runs WHERE status = 'done'" 6
check "SELECT count(*) FROM summary WHERE name = 'test.acc'" 6
check "SELECT count(DISTINCT n) FROM (SELECT run_id, count(*) AS n FROM metrics GROUP BY run_id)" 1
check "SELECT count(*) FROM params WHERE key = 'seed'" 6
check "SELECT count(*) FROM runs WHERE attempt = 2" "$running_before"
[ "$fails" = 0 ] && echo "kill -9 + resume: 6 runs, each done once"
exit "$fails"
