#!/usr/bin/env bash
# --rerun re-runs exactly the finished runs it names (all, an id, key=value conditions) and keeps their
# earlier attempts in run_history; the run_params view and metrics.epoch read back.
# Usage: rerun.sh ADAPTLAB FIXTURES TMPDIR
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/rerun.sqlite" SW="$FIX/rerun_sweep.yaml"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$DB" "$1"; }
check() { local got; got=$(q "$1"); [ "$got" = "$2" ] || fail "$1 -> '$got', expected '$2'"; }
sweep() { "$CLI" sweep --db "$DB" --no-progress "$SW" "$@" >"$TMP/out" 2>&1 || fail "sweep $* exited $?: $(tail -3 "$TMP/out")"; }
sweep
check "SELECT count(*) FROM runs WHERE status = 'done' AND attempt = 1" 4
sweep --rerun 'methods=lora'
check "SELECT methods, attempt FROM runs ORDER BY methods, seed" $'linear|1\nlinear|1\nlora|2\nlora|2'
check "SELECT count(*) FROM run_history WHERE status = 'done' AND attempt = 1 AND json_extract(summary_json, '$.\"test.acc\"') IS NOT NULL" 2
linear0=$(q "SELECT id FROM runs WHERE methods = 'linear' AND seed = 0")
sweep --rerun "$linear0"
check "SELECT group_concat(attempt) FROM runs WHERE methods = 'linear' ORDER BY seed" "2,1"
sweep --rerun 'methods.0.rank=2,seed=1'
check "SELECT attempt FROM runs WHERE methods = 'lora' AND seed = 1" 3
check "SELECT group_concat(attempt) FROM (SELECT attempt FROM run_history WHERE run_id = (SELECT id FROM runs WHERE methods = 'lora' AND seed = 1) ORDER BY attempt)" "1,2"
sweep --rerun 'nosuchkey=1'
grep -q "rerun 'nosuchkey=1' matches no finished run of study rerun" "$TMP/out" || fail "no warning for an unmatched --rerun"
check "SELECT sum(attempt) FROM runs" 8
"$CLI" sweep --db "$DB" --dry-run --rerun all "$SW" >"$TMP/dry" 2>&1
[ "$(grep -c 'done -> rerun' "$TMP/dry")" = 4 ] || fail "dry run does not show the re-runs: $(cat "$TMP/dry")"
"$CLI" sweep --db "$DB" --no-progress --rerun 'zz' "$SW" >"$TMP/out" 2>&1 && fail "a malformed --rerun was accepted"
grep -q "expected all, a run id" "$TMP/out" || fail "malformed --rerun: $(cat "$TMP/out")"
# Typed parameters and epochs.
check "SELECT DISTINCT value FROM run_params WHERE key = 'methods.0.name' ORDER BY 1" $'linear\nlora'
check "SELECT typeof(value) FROM run_params WHERE key = 'train.epochs' LIMIT 1" integer
check "SELECT count(*) FROM run_params WHERE key = 'methods.0.name' AND value = 'lora'" 2
check "SELECT max(epoch) FROM metrics WHERE name = 'epoch_loss'" 2.0
check "SELECT count(*) FROM metrics WHERE split = 'train' AND name = 'loss' AND epoch IS NULL" 0
[ "$fails" = 0 ] && echo "--rerun: all, ids and key=value re-run exactly their runs; history kept"
exit "$fails"
