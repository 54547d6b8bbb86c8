#!/usr/bin/env bash
# Randomised crashes: N rounds of a small sweep in which the driver or a running child is killed with
# SIGKILL at a random moment, each followed by a resume; at the end every run is done exactly once,
# none is left 'running', and the database passes PRAGMA integrity_check. Before each kill the database
# says whether it hits a run while it is 'running' (a child: its own run; the driver: any run): a loop in
# which no kill did (every kill before the first run started, or after the last) checked nothing, and fails.
# Usage: crash_loop.sh ADAPTLAB PLUGIN FIXTURES TMPDIR [ROUNDS] [SEED]
source "$(dirname "$0")/lib.sh"
ROUNDS=${5:-10} SEED=${6:-$RANDOM}
RANDOM=$SEED
echo "crash loop: $ROUNDS rounds, seed $SEED"
DB="$TMP/crash.sqlite"
RUNS=24
# sleep_sweep has 6 seeds; make it $RUNS.
sed "s/^seeds: 6/seeds: $RUNS/" "$FIX/sleep_sweep.yaml" >"$TMP/sweep.yaml"
FIX_SWEEP="$TMP/sweep.yaml"
SWEEP=("$CLI" --plugin "$PLUGIN" sweep --db "$DB" --per-device 2 --no-progress --retry-failed --retries 1 "$FIX_SWEEP"
  'methods=[{name: fault, kind: sleep, seconds: 1.0}]')
killed_driver=0 killed_child=0 hits=0
# running [ID]: the number of runs now 'running' (of run ID only, when given); 0 before the database exists
# (-s: the sqlite3 shell would create an empty file before the sweep creates the database).
running() {
  [ -s "$DB" ] || { echo 0; return; }
  local n
  n=$(q "$DB" "SELECT count(*) FROM runs WHERE status = 'running'${1:+ AND id = '$1'}")
  echo "${n:-0}"
}
for round in $(seq 1 "$ROUNDS"); do
  "${SWEEP[@]}" >>"$TMP/rounds.out" 2>&1 &
  driver=$!
  sleep "$(printf '%d.%02d' $((1 + RANDOM % 3)) $((RANDOM % 100)))"
  if [ $((RANDOM % 2)) = 1 ]; then  # a child first, then (later) the driver
    line=$(pgrep -a -f -- "run --spec $TMP/" | head -1)  # "PID ... run --spec DIR/<id>.spec.json ..."
    child=${line%% *}
    if [ -n "$child" ]; then
      spec=$(grep -o -- "--spec [^ ]*" <<< "$line")
      busy=$(running "$(basename "${spec#--spec }" .spec.json)")
      kill -9 "$child" 2>/dev/null && killed_child=$((killed_child + 1)) && [ "$busy" -gt 0 ] && hits=$((hits + 1))
    fi
    sleep "0.$((RANDOM % 10))"
  fi
  busy=$(running)
  kill -9 "$driver" 2>/dev/null && killed_driver=$((killed_driver + 1)) && [ "$busy" -gt 0 ] && hits=$((hits + 1))
  wait "$driver" 2>/dev/null
  # children of a killed driver finish on their own; let them go before the next round
  for _ in $(seq 1 100); do pgrep -f -- "run --spec $TMP/" >/dev/null || break; sleep 0.1; done
  [ "$(q "$DB" "PRAGMA integrity_check")" = ok ] || [ ! -e "$DB" ] || fail "round $round: integrity_check failed"
done
echo "killed the driver $killed_driver times and a child $killed_child times, $hits of those kills while a run was" \
  "running; done before the last resume: $(q "$DB" "SELECT count(*) FROM runs WHERE status = 'done'") of $RUNS"
[ "$hits" -gt 0 ] || fail "no kill hit a run while it was running (seed $SEED): the rounds checked nothing"
"${SWEEP[@]}" >"$TMP/last.out" 2>&1 || fail "the last resume exited non-zero: $(tail -3 "$TMP/last.out")"
check "$DB" "PRAGMA integrity_check" ok
check "$DB" "SELECT count(*) FROM runs" $RUNS
check "$DB" "SELECT count(*) FROM runs WHERE status = 'done'" $RUNS
check "$DB" "SELECT count(*) FROM runs WHERE status = 'running'" 0
check "$DB" "SELECT count(*) FROM summary WHERE name = 'test.acc'" $RUNS
check "$DB" "SELECT count(*) FROM (SELECT run_id, split, name, step, count(*) AS n FROM metrics GROUP BY 1, 2, 3, 4 HAVING n > 1)" 0
check "$DB" "SELECT count(DISTINCT n) FROM (SELECT run_id, count(*) AS n FROM metrics GROUP BY run_id)" 1
check "$DB" "SELECT count(*) FROM params WHERE key = 'seed'" $RUNS
echo "attempts: $(q "$DB" "SELECT group_concat(attempt, ' ') FROM runs")"
finish "crash loop (seed $SEED): $RUNS runs done once each after $ROUNDS rounds of kill -9"
