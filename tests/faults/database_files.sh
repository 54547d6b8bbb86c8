#!/usr/bin/env bash
# Database files in odd states: tables dropped (refused on open, naming them), a read-only archive
# folder (queried and tabled without writing), a merge of a database into itself (refused at once).
# Usage: database_files.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
SW="$FAULTS/fixtures/tiny_run.yaml"
DB="$TMP/x.sqlite"
"$CLI" sweep --no-progress --db "$DB" "$SW" >/dev/null 2>&1 || fail "tiny sweep"
cp "$DB" "$TMP/dropped.sqlite"
sqlite3 "$TMP/dropped.sqlite" "DROP TABLE summary; DROP TABLE metrics"
expect 1 "dropped.sqlite: damaged adaptlab database: tables missing: metrics, summary" -- \
  "$CLI" query --db "$TMP/dropped.sqlite" "SELECT count(*) FROM runs"
expect 1 "dropped.sqlite: damaged adaptlab database: tables missing: metrics, summary" -- \
  "$CLI" sweep --no-progress --db "$TMP/dropped.sqlite" "$SW"
# Merge into itself, by the same or another path: refused at once (no 30 s lock wait).
start=$(date +%s)
expect 1 "is the database being merged into" -- "$CLI" results merge --into "$DB" "$DB"
ln -s "$DB" "$TMP/link.sqlite"
expect 1 "is the database being merged into" -- "$CLI" results merge --into "$DB" "$TMP/link.sqlite"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "the refused merge waited"
# A read-only archive: a folder the reader cannot write, holding a WAL database (as another user,
# since root writes anywhere).
if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
  mkdir -p "$TMP/archive"
  cp "$DB" "$TMP/archive/x.sqlite"
  chmod 755 "$TMP" "$TMP/archive"; chmod 444 "$TMP/archive/x.sqlite"; chmod 555 "$TMP/archive"
  chmod o+x "$(dirname "$TMP")" 2>/dev/null
  if runuser -u nobody -- test -r "$TMP/archive/x.sqlite"; then
    expect 0 "^done,1$" -- runuser -u nobody -- "$CLI" query --format csv --db "$TMP/archive/x.sqlite" \
      "SELECT status, count(*) FROM runs GROUP BY status"
    expect 0 "linear" -- runuser -u nobody -- "$CLI" table --db "$TMP/archive/x.sqlite"
  else
    echo "note: nobody cannot reach $TMP; read-only archive case not run"
  fi
  chmod 755 "$TMP/archive"
fi
finish "damaged, read-only and self-merged databases are handled"
