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
# A read-only archive: a folder the reader cannot write, holding a WAL database: queried and tabled
# without writing. Root writes anywhere whatever the permission bits, so as root the folder is made
# unwritable for real — a read-only bind mount in a private mount namespace (unshare -m; nothing outside
# sees it), `chattr +i` — and the case also runs as `nobody` (permission bits); as another user, the bits
# are enough. Each way runs only once its precondition is checked (the reader cannot create a file in
# the folder); then any failure fails. When no way can be established here, the script says
# "adaptlab-skip:" (CTest's SKIP_REGULAR_EXPRESSION for faults.database_files: shown skipped, not passed).
ARCH="$TMP/archive"
mkdir -p "$ARCH"
cp "$DB" "$ARCH/x.sqlite"
chmod 755 "$TMP"; chmod 444 "$ARCH/x.sqlite"; chmod 555 "$ARCH"
ro_mount() {  # ro_mount CMD...: CMD with $ARCH mounted read-only (exit 125: the mount cannot be made)
  unshare -m -- bash -c 'mount --bind "$1" "$1" 2>/dev/null && mount -o remount,bind,ro "$1" 2>/dev/null || exit 125
    shift; exec "$@"' ro_mount "$ARCH" "$@"
}
as_nobody() { runuser -u nobody -- "$@"; }
archive_ways=()
read_archive() {  # read_archive WAY [PREFIX...]: the reads, each run through PREFIX
  local way=$1; shift
  # the precondition: this reader cannot write into the folder
  if "$@" touch "$ARCH/.probe" 2>/dev/null; then
    rm -f "$ARCH/.probe"
    echo "note: read-only archive, $way: the reader can write the folder; not this way"
    return
  fi
  archive_ways+=("$way")
  expect 0 "^done,1$" -- "$@" "$CLI" query --format csv --db "$ARCH/x.sqlite" "SELECT status, count(*) FROM runs GROUP BY status"
  expect 0 "linear" -- "$@" "$CLI" table --db "$ARCH/x.sqlite"
  [ "$(ls -A "$ARCH")" = x.sqlite ] || fail "read-only archive, $way: the folder was written: $(ls -A "$ARCH")"
}
if [ "$(id -u)" != 0 ]; then
  read_archive "permission bits"
else
  if command -v unshare >/dev/null && ro_mount true 2>/dev/null; then
    read_archive "read-only bind mount" ro_mount
  fi
  if command -v chattr >/dev/null && chattr +i "$ARCH/x.sqlite" "$ARCH" 2>/dev/null; then
    trap 'chattr -i "$ARCH/x.sqlite" "$ARCH" 2>/dev/null' EXIT  # never left immutable (the next run removes $TMP)
    read_archive "chattr +i"
    chattr -i "$ARCH/x.sqlite" "$ARCH" || fail "chattr -i $ARCH"
    trap - EXIT
  fi
  chmod o+x "$(dirname "$TMP")" 2>/dev/null
  if command -v runuser >/dev/null && id nobody >/dev/null 2>&1 && as_nobody test -r "$ARCH/x.sqlite" &&
     as_nobody test -x "$CLI"; then
    read_archive "as nobody" as_nobody
  fi
fi
chmod 755 "$ARCH"
if [ "${#archive_ways[@]}" = 0 ]; then
  msg="the read-only archive case could not be set up here (no read-only mount, chattr or other user)"
  [ "$fails" = 0 ] && echo "adaptlab-skip: $msg" || echo "note: $msg"
else
  echo "read-only archive read: ${archive_ways[*]}"
fi
finish "damaged, read-only and self-merged databases are handled"
