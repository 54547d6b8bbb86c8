#!/usr/bin/env bash
# The measurement phase end to end: runs save their trained tensors and are measured after training
# (every cost figure, with provenance); a run left unmeasured is measured on resume without training
# again; `adaptlab measure` re-measures from the saved tensors; the Pareto plot takes the new axes;
# `results gc` removes only the artifacts of runs the database no longer has.
# Usage: measure.sh ADAPTLAB FIXTURES TMPDIR
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/measured.sqlite" SW="$FIX/measure_sweep.yaml"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$DB" "$1"; }
check() { local got; got=$(q "$1"); [ "$got" = "$2" ] || fail "$1 -> '$got', expected '$2'"; }
"$CLI" sweep --db "$DB" --no-progress "$SW" >"$TMP/out" 2>&1 || fail "sweep exited $?: $(tail -5 "$TMP/out")"
check "SELECT count(*) FROM runs WHERE status = 'done' AND measure_status = 'done'" 2
for name in throughput.eval throughput.eval.min throughput.eval.max latency.b1 flops.forward memory.peak.eval \
            throughput.train time.step.train memory.peak.train; do
  check "SELECT count(*) FROM summary WHERE name = '$name' AND value > 0" 2
done
check "SELECT count(*) FROM summary WHERE name = 'throughput.eval.min' AND value > (SELECT value FROM summary s2 WHERE s2.run_id = summary.run_id AND s2.name = 'throughput.eval')" 0
check "SELECT DISTINCT value FROM provenance WHERE key = 'measure.precision'" fp32
check "SELECT count(*) FROM provenance WHERE key = 'measure.threads' AND CAST(value AS INTEGER) >= 1" 2
# Saved tensors on record: the file is there, with the size recorded.
# (A recorded path under the database's folder is relative to that folder: framework/store/study_files.h.)
while IFS='|' read -r path bytes; do
  case $path in /*) ;; *) path="$(dirname "$DB")/$path" ;; esac
  [ -f "$path" ] || fail "artifact $path is on record but not on disk"
  [ "$(stat -c %s "$path")" = "$bytes" ] || fail "artifact $path: size on record $bytes, on disk $(stat -c %s "$path")"
done < <(q "SELECT path, bytes FROM artifacts WHERE name = 'trained'")
check "SELECT count(*) FROM artifacts WHERE name = 'trained' AND length(hash) = 32" 2

# A run trained but never measured (the driver stopped in between) is measured by the next sweep.
lora=$(q "SELECT id FROM runs WHERE methods = 'lora'")
q "UPDATE runs SET measure_status = NULL WHERE id = '$lora'; DELETE FROM summary WHERE run_id = '$lora' AND name = 'throughput.eval'"
"$CLI" sweep --db "$DB" --no-progress "$SW" >"$TMP/out2" 2>&1 || fail "resume exited $?: $(tail -5 "$TMP/out2")"
grep -q "1 finished run(s) not measured yet" "$TMP/out2" || fail "resume did not say it measures: $(cat "$TMP/out2")"
check "SELECT measure_status, attempt FROM runs WHERE id = '$lora'" "done|1"
check "SELECT count(*) FROM summary WHERE run_id = '$lora' AND name = 'throughput.eval'" 1

# Re-measuring from the saved tensors: nothing trains again, the figures are replaced: every timed figure
# of both runs has a new value (timings of a fresh measurement never repeat to the last digit; FLOPs and
# memory may), in place (as many summary rows as before, no figure missing or twice).
acc_before=$(q "SELECT group_concat(value) FROM summary WHERE name = 'test.acc' ORDER BY run_id")
TIMED="'throughput.eval', 'throughput.eval.min', 'throughput.eval.max', 'latency.b1', 'throughput.train', 'time.step.train'"
timed() { q "SELECT run_id || '|' || name || '|' || value FROM summary WHERE name IN ($TIMED) ORDER BY run_id, name"; }
figures_before=$(timed) rows_before=$(q "SELECT count(*) FROM summary")
[ "$(wc -l <<< "$figures_before")" = 12 ] || fail "not 6 timed figures per run before re-measuring: $figures_before"
"$CLI" measure --db "$DB" measure.repeats=2 >"$TMP/out3" 2>&1 || fail "measure exited $?: $(tail -5 "$TMP/out3")"
grep -q "2 run(s) measured, 0 failed" "$TMP/out3" || fail "measure: $(cat "$TMP/out3")"
check "SELECT count(*) FROM summary" "$rows_before"
figures_after=$(timed)
[ "$(wc -l <<< "$figures_after")" = 12 ] || fail "not 6 timed figures per run after re-measuring: $figures_after"
while IFS='|' read -r run name old run2 name2 new; do
  [ "$run|$name" = "$run2|$name2" ] || { fail "re-measuring changed which figures there are: $run|$name vs $run2|$name2"; break; }
  [ "$old" != "$new" ] || fail "re-measuring left $name of run $run as it was ($old): not replaced"
done < <(paste -d'|' <(echo "$figures_before") <(echo "$figures_after"))
check "SELECT group_concat(value) FROM summary WHERE name = 'test.acc' ORDER BY run_id" "$acc_before"
check "SELECT group_concat(attempt) FROM runs" "1,1"
"$CLI" measure --db "$DB" train.lr=1 >"$TMP/out4" 2>&1 && fail "a non-measure override was accepted"
grep -q "must be measure.<key>=<value>" "$TMP/out4" || fail "bad override: $(cat "$TMP/out4")"
"$CLI" measure --db "$DB" --runs nosuch >"$TMP/out5" 2>&1 && fail "an unknown run was accepted"
grep -q "has no done run whose id starts with 'nosuch'" "$TMP/out5" || fail "unknown run: $(cat "$TMP/out5")"

# The new axes in the Pareto plot.
"$CLI" plot pareto --db "$DB" --x flops.forward --x-better min -o "$TMP/flops.svg" >/dev/null 2>&1 || fail "pareto --x flops.forward"
"$CLI" plot pareto --db "$DB" --x memory.peak.train --x-better min -o "$TMP/mem.svg" >/dev/null 2>&1 || fail "pareto --x memory.peak.train"
grep -q ">flops.forward</text>" "$TMP/flops.svg" || fail "no flops.forward axis"

# gc: an orphan folder goes, the runs' own stay.
mkdir -p "$TMP/measured.artifacts/0123456789abcdef" && echo x >"$TMP/measured.artifacts/0123456789abcdef/trained.safetensors"
"$CLI" results gc --db "$DB" --dry-run >"$TMP/gc" 2>&1 || fail "gc --dry-run"
grep -q "would remove $TMP/measured.artifacts/0123456789abcdef" "$TMP/gc" || fail "gc dry run: $(cat "$TMP/gc")"
[ -d "$TMP/measured.artifacts/0123456789abcdef" ] || fail "gc --dry-run removed something"
"$CLI" results gc --db "$DB" >"$TMP/gc" 2>&1 || fail "gc"
[ -d "$TMP/measured.artifacts/0123456789abcdef" ] && fail "gc left the orphan folder"
[ "$(ls "$TMP/measured.artifacts" | wc -l)" = 2 ] || fail "gc removed a run's folder: $(ls "$TMP/measured.artifacts")"
grep -q "2 kept" "$TMP/gc" || fail "gc: $(cat "$TMP/gc")"
[ "$fails" = 0 ] && echo "measurement phase: measured after training, on resume, again on demand; gc keeps what is on record"
exit "$fails"
