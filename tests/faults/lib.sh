# Helpers for the fault suite (sourced). Each script gets: ADAPTLAB PLUGIN FIXTURES TMPDIR.
set -uo pipefail
CLI=$1 PLUGIN=$2 FIX=$3 TMP=$4
FAULTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$1" "$2" 2>/dev/null; }
# expect RC REGEX -- CMD...: runs CMD (output in $TMP/out), checks the exit code and that the output matches.
expect() {
  local want=$1 re=$2; shift 3
  "$@" >"$TMP/out" 2>&1; local rc=$?
  [ "$rc" = "$want" ] || fail "exit code $rc, expected $want: $*"$'\n'"$(tail -5 "$TMP/out")"
  grep -Eq -- "$re" "$TMP/out" || fail "output does not match /$re/: $*"$'\n'"$(tail -5 "$TMP/out")"
}
check() { local got; got=$(q "$1" "$2"); [ "$got" = "$3" ] || fail "$2 -> '$got', expected '$3'"; }
wait_for() {  # wait_for DB SQL VALUE [tenths]: until the query returns VALUE
  for _ in $(seq 1 "${4:-600}"); do
    [ "$(q "$1" "$2")" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
finish() { [ "$fails" = 0 ] && echo "PASS: $1"; exit "$fails"; }
