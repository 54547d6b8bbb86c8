#!/usr/bin/env bash
# The database deleted (or replaced) while a sweep runs: the driver fails loudly, naming the file,
# instead of reporting success into an unlinked file. Usage: db_deleted.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
for how in delete replace; do
  DB="$TMP/$how.sqlite"
  "$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress "$FIX/sleep_sweep.yaml" >"$TMP/$how.out" 2>&1 &
  driver=$!
  wait_for "$DB" "SELECT count(*) > 0 FROM runs WHERE status = 'done'" 1 || fail "$how: no run finished"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  [ "$how" = replace ] && sqlite3 "$DB" "CREATE TABLE t(x)"
  wait "$driver"; rc=$?
  [ "$rc" != 0 ] || fail "$how: the driver exited 0 after its database was ${how}d"
  grep -q "was deleted or replaced while this sweep ran" "$TMP/$how.out" || fail "$how: no clear error"$'\n'"$(tail -3 "$TMP/$how.out")"
done
finish "a deleted or replaced database fails the sweep loudly"
