#!/usr/bin/env bash
# Writes that fail name the file and the reason: a --log-dir that cannot be created, a log or spec
# file on a full disk (/dev/full), a zero-byte spec file read back.
# Usage: bad_writes.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
SW="$FAULTS/fixtures/tiny_run.yaml"
touch "$TMP/file"
expect 1 "$TMP/file/logs: cannot create the log folder: Not a directory" -- \
  "$CLI" sweep --no-progress --db "$TMP/a.sqlite" --log-dir "$TMP/file/logs" "$SW"
id=$("$CLI" sweep --dry-run --db "$TMP/none.sqlite" "$SW" | awk 'NR==2 {print $1}')
mkdir -p "$TMP/full"
ln -s /dev/full "$TMP/full/$id.spec.json.tmp"
expect 1 "$TMP/full/$id.spec.json.tmp: cannot write the run spec: No space left on device" -- \
  "$CLI" sweep --no-progress --db "$TMP/b.sqlite" --log-dir "$TMP/full" "$SW"
rm "$TMP/full/$id.spec.json.tmp"
ln -s /dev/full "$TMP/full/$id.log"
expect 1 "$TMP/full/$id.log: cannot write the run log: No space left on device" -- \
  "$CLI" sweep --no-progress --db "$TMP/c.sqlite" --log-dir "$TMP/full" "$SW"
: >"$TMP/empty.spec.json"
expect 1 "$TMP/empty.spec.json: the run spec is empty" -- "$CLI" run --spec "$TMP/empty.spec.json"
finish "failed writes name the file and why"
