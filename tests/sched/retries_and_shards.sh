#!/usr/bin/env bash
# Retries store the attempt count; shards + merge give the same runs as one sweep, and merging
# twice changes nothing. Usage: retries_and_shards.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
check() { local got; got=$(sqlite3 "$1" "$2"); [ "$got" = "$3" ] || { echo "FAIL: $2 -> '$got', expected '$3'"; fails=1; }; }

# A run that always exits non-zero, with --retries 2: three attempts, then failed.
DB="$TMP/retry.sqlite"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --retries 2 --no-progress "$FIX/sleep_sweep.yaml" \
  methods='[{name: fault, kind: exit}]' 2>/dev/null
check "$DB" "SELECT status || ' ' || attempt FROM runs WHERE study = 'sleepy' AND seed = 0" "failed 3"
check "$DB" "SELECT count(*) FROM runs WHERE study = 'sleepy'" 6
# Without --retry-failed a second sweep leaves failed runs alone; with it they run again.
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --no-progress "$FIX/sleep_sweep.yaml" methods='[{name: fault, kind: exit}]' 2>/dev/null
check "$DB" "SELECT max(attempt) FROM runs WHERE study = 'sleepy'" 3
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --retry-failed --no-progress "$FIX/sleep_sweep.yaml" methods='[{name: fault, kind: exit}]' 2>/dev/null
check "$DB" "SELECT min(attempt) FROM runs WHERE study = 'sleepy'" 4  # attempts count across sweeps: 3 + 1

# Shards: 3 shards of the same 6 runs, merged, equal the runs of one sweep.
for i in 0 1 2; do
  "$CLI" --plugin "$PLUGIN" sweep --db "$TMP/shard-$i.sqlite" --shard "$i/3" --no-progress "$FIX/sleep_sweep.yaml" \
    methods='[{name: fault, kind: none}]' 2>/dev/null || { echo "FAIL: shard $i"; fails=1; }
done
for i in 0 1 2; do check "$TMP/shard-$i.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'" 2; done
"$CLI" results merge --into "$TMP/merged.sqlite" "$TMP"/shard-*.sqlite > "$TMP/merge1.txt" || fails=1
dump() { sqlite3 "$TMP/merged.sqlite" "SELECT study, id, status, attempt FROM runs ORDER BY id;
  SELECT count(*) FROM metrics; SELECT count(*) FROM params; SELECT count(*), sum(value) FROM summary;"; }
first=$(dump)
"$CLI" results merge --into "$TMP/merged.sqlite" "$TMP"/shard-*.sqlite > "$TMP/merge2.txt" || fails=1
[ "$(dump)" = "$first" ] || { echo "FAIL: merging twice changed the database"; fails=1; }
grep -q "0 runs copied, 2 already present" "$TMP/merge2.txt" || { echo "FAIL: second merge copied runs"; cat "$TMP/merge2.txt"; fails=1; }
check "$TMP/merged.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'" 6
# The merged ids are exactly those a single sweep would run.
"$CLI" --plugin "$PLUGIN" sweep --db "$TMP/merged.sqlite" --dry-run "$FIX/sleep_sweep.yaml" \
  methods='[{name: fault, kind: none}]' | grep -q "6 of 6 already done" || { echo "FAIL: merged ids differ"; fails=1; }
# LPT: with one slot, runs start longest first (rowid order = order of starting).
"$CLI" --plugin "$PLUGIN" sweep --db "$TMP/lpt.sqlite" --no-progress "$FIX/lpt_sweep.yaml" 2>/dev/null || fails=1
check "$TMP/lpt.sqlite" "SELECT group_concat(v, ' ') FROM (SELECT p.value AS v FROM runs r JOIN params p
  ON p.run_id = r.id AND p.key = 'methods.0.seconds' ORDER BY r.rowid)" "1.2 0.9 0.6 0.2"
[ "$fails" = 0 ] && echo "retries: attempts stored; shards: merged = one sweep, merge idempotent; LPT order"
exit "$fails"
