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
# A left-over temporary that is a link (here to /dev/full) is never written through: spec files go to an
# exclusive temporary beside them (issue 25, 6).
mkdir -p "$TMP/full"
ln -s /dev/full "$TMP/full/$id.spec.json.tmp"
expect 0 "1 run, 0 skipped, 0 failed" -- "$CLI" sweep --no-progress --db "$TMP/b.sqlite" --log-dir "$TMP/full" "$SW"
[ -L "$TMP/full/$id.spec.json.tmp" ] || fail "the link named like a temporary was replaced"
# A full disk: the spec file on a 64 KiB tmpfs that is full (a private mount namespace; root only).
if unshare -m true 2>/dev/null; then
  mkdir -p "$TMP/tiny"
  unshare -m bash -c "mount -t tmpfs -o size=64k tmpfs '$TMP/tiny' && dd if=/dev/zero of='$TMP/tiny/fill' bs=4k 2>/dev/null;
    '$CLI' sweep --no-progress --db '$TMP/d.sqlite' --log-dir '$TMP/tiny' '$SW'" >"$TMP/out" 2>&1
  rc=$?
  [ "$rc" = 1 ] || fail "exit code $rc on a full disk, expected 1: $(tail -3 "$TMP/out")"
  grep -Eq "$TMP/tiny/[0-9a-f]+\.log: cannot write the run log: No space left on device|$TMP/tiny/$id\.spec\.json\.tmp\.[A-Za-z0-9]{6}: cannot write the run spec: No space left on device" "$TMP/out" ||
    fail "the full disk is not named: $(tail -3 "$TMP/out")"
else
  echo "note: no private mount namespace here; the full-disk case for the spec file is not run"
fi
# The run log on a full disk (a log that is a link to /dev/full is appended to, as a log is).
rm -f "$TMP/full/$id.log"
ln -s /dev/full "$TMP/full/$id.log"
expect 1 "$TMP/full/$id.log: cannot write the run log: No space left on device" -- \
  "$CLI" sweep --no-progress --db "$TMP/c.sqlite" --log-dir "$TMP/full" "$SW"
: >"$TMP/empty.spec.json"
expect 1 "$TMP/empty.spec.json: the run spec is empty" -- "$CLI" run --spec "$TMP/empty.spec.json"
finish "failed writes name the file and why"
