#!/usr/bin/env bash
# The sweep driver never waits for a slot (issue 25, 1): a sweep of 10,000 instant-failing runs on 2 slots
# writes each result as it ends (rows in the database within seconds, the heartbeat kept), and a kill -9
# at any moment loses at most the runs that were running. Before, submitting held the driver thread until
# nearly every run had started: 0 rows after 60 s, every finished result lost to a kill -9.
# Usage: big_sweep.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
{
  sed 's/^study: onefails/study: big/; /^grid:/,$d' "$FAULTS/fixtures/one_fails.yaml"
  echo "  methods: [{name: fault, kind: exit}]"
  echo "seeds: 10000"
} >"$TMP/big.yaml"
DB="$TMP/big.sqlite"
t0=$(date +%s)
"$CLI" --plugin "$PLUGIN" --threads 1 sweep --db "$DB" --per-device 2 --no-progress "$TMP/big.yaml" >"$TMP/driver.out" 2>&1 &
driver=$!
# Results land as runs end: 20 failed rows well before 2 slots could start 10,000 runs.
wait_for "$DB" "SELECT count(*) >= 20 FROM runs WHERE status = 'failed'" 1 1200 ||
  fail "fewer than 20 results in the database after 120 s: $(q "$DB" "SELECT status, count(*) FROM runs GROUP BY status")"
echo "first 20 results after $(( $(date +%s) - t0 )) s"
sleep 3
# The heartbeat moves while runs are submitted (status would call a silent driver killed).
age=$(q "$DB" "SELECT CAST((julianday('now') - julianday(heartbeat_at)) * 86400 AS INTEGER) FROM sweep_driver")
[ -n "$age" ] && [ "$age" -le 6 ] || fail "the driver's heartbeat is $age s old while it runs"
kill -9 "$driver"
wait "$driver" 2>/dev/null
sleep 1  # orphaned children end on their own; they are not in the database (the driver was its only writer)
started=$(grep -l "^==== adaptlab run " "$TMP"/big.logs/*.log 2>/dev/null | wc -l)
ended=$(q "$DB" "SELECT count(*) FROM runs WHERE status = 'failed'")
running=$(q "$DB" "SELECT count(*) FROM runs WHERE status = 'running'")
echo "after kill -9: $started runs started, $ended recorded ended, $running recorded running"
[ "$running" -le 2 ] || fail "$running runs recorded running on 2 slots"
[ $((started - ended)) -le 2 ] || fail "$started runs started but only $ended results recorded: more than the 2 running were lost"
[ "$(q "$DB" "SELECT count(*) FROM runs WHERE status NOT IN ('failed', 'running')")" = 0 ] || fail "unexpected statuses"
finish "10,000 instant runs on 2 slots: results recorded as they end; kill -9 lost only the running ones"
