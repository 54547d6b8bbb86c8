#!/usr/bin/env bash
# A second driver on the same database through another path (a symlink, a/../x, a hard link) is
# refused while the first runs; the first's running run is not declared stale.
# Usage: lock_other_path.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/a"
DB="$TMP/x.sqlite"
"$CLI" --plugin "$PLUGIN" sweep --db "$DB" --no-progress "$FIX/sleep_sweep.yaml" methods='[{name: fault, kind: sleep, seconds: 20}]' \
  >"$TMP/first.out" 2>&1 &
driver=$!
wait_for "$DB" "SELECT count(*) FROM runs WHERE status = 'running'" 1 || fail "the first driver never started a run"
ln -s "$DB" "$TMP/link.sqlite"
ln "$DB" "$TMP/hard.sqlite"
for other in "$TMP/link.sqlite" "$TMP/a/../x.sqlite" "$TMP/hard.sqlite"; do
  expect 1 "another adaptlab sweep is running on this database" -- \
    "$CLI" --plugin "$PLUGIN" sweep --db "$other" --no-progress "$FIX/sleep_sweep.yaml" methods='[{name: fault, kind: sleep, seconds: 20}]'
done
check "$DB" "SELECT max(attempt) FROM runs" 1
kill -INT "$driver"; kill -INT "$driver"; wait "$driver"
finish "the driver lock holds across symlinks, dot-dot paths and hard links"
