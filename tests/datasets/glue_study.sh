#!/usr/bin/env bash
# GLUE through the sweep runner: the generated GLUE fixture, the small study (pairs, STS-B regression,
# Light-PEFT and structured pruning), each task's metrics in the summary and the table of test.score;
# and the real experiments/lightpeft-glue study expands and resolves on the same data.
# Usage: glue_study.sh ADAPTLAB FIXTURES TMPDIR SOURCE_DIR PYTHON
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3 SRC=$4 PY=$5
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
"$PY" "$SRC/tools/data/make_glue_fixture.py" "$TMP/glue" --train 120 --dev 40 || fail "fixture generator"
DB="$TMP/glue.sqlite"
"$CLI" sweep --db "$DB" --no-progress "$FIX/glue_sweep.yaml" "dataset.dir=$TMP/glue" >"$TMP/out" 2>&1 ||
  fail "sweep exited $?: $(tail -5 "$TMP/out")"
q() { sqlite3 "$DB" "$1"; }
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done' AND measure_status = 'done'")" = 6 ] || fail "not 6 done and measured runs"
# MRPC: f1 and acc, score = f1; STS-B: pearson and spearman, score = pearson; losses finite.
for r in $(q "SELECT id FROM runs WHERE config_json LIKE '%\"task\":\"mrpc\"%'"); do
  [ "$(q "SELECT count(*) FROM summary WHERE run_id = '$r' AND name IN ('test.f1', 'test.acc', 'test.score', 'val.f1')")" = 4 ] ||
    fail "mrpc run $r lacks its metrics"
  [ "$(q "SELECT (SELECT value FROM summary WHERE run_id = '$r' AND name = 'test.score') = (SELECT value FROM summary WHERE run_id = '$r' AND name = 'test.f1')")" = 1 ] ||
    fail "mrpc score is not f1"
done
for r in $(q "SELECT id FROM runs WHERE config_json LIKE '%\"task\":\"stsb\"%'"); do
  [ "$(q "SELECT count(*) FROM summary WHERE run_id = '$r' AND name IN ('test.pearson', 'test.spearman', 'test.score') AND value BETWEEN -1 AND 1")" = 3 ] ||
    fail "stsb run $r lacks pearson/spearman in [-1, 1]"
  [ "$(q "SELECT count(*) FROM summary WHERE run_id = '$r' AND name = 'test.acc'")" = 0 ] || fail "stsb has an accuracy"
done
[ "$(q "SELECT count(*) FROM summary WHERE name = 'prune.heads_kept'")" = 4 ] || fail "pruning did not happen in 4 runs"
"$CLI" table --db "$DB" --metric test.score >"$TMP/table" 2>&1 || fail "table: $(cat "$TMP/table")"
grep -q "glue (task=mrpc)" "$TMP/table" || fail "table columns: $(cat "$TMP/table")"
# Every epoch's dev (test split) evaluation is recorded, and the real study's table reports their maximum
# as the released trainer's best_eval_accuracy does, labelled; the small study's rows are its own, so the
# spec's rows match only some (warnings, not errors).
[ "$(q "SELECT count(*) FROM metrics WHERE split = 'test' AND name = 'score' AND epoch IN (1, 2)")" = 12 ] ||
  fail "per-epoch test.score rows: $(q "SELECT run_id, epoch FROM metrics WHERE split = 'test' AND name = 'score'")"
"$CLI" table --db "$DB" --study glue-small --spec "$SRC/experiments/lightpeft-glue/table.yaml" >"$TMP/table.lp" 2>"$TMP/table.lp.err" ||
  fail "lightpeft-glue table on the small study: $(cat "$TMP/table.lp.err")"
grep -q "^Table: report: max_test (" "$TMP/table.lp" || fail "lightpeft-glue table caption: $(cat "$TMP/table.lp")"
grep -q "^| LoRA (q, v) | " "$TMP/table.lp" || fail "lightpeft-glue table rows: $(cat "$TMP/table.lp")"
# The real study: 6 tasks × 6 methods resolve on the same files.
"$CLI" sweep --dry-run --db "$TMP/none.sqlite" "$SRC/experiments/lightpeft-glue/sweep.yaml" "dataset.dir=$TMP/glue" \
  >"$TMP/dry" 2>&1 || fail "lightpeft-glue dry run: $(tail -3 "$TMP/dry")"
grep -q "study lightpeft-glue: 36 runs" "$TMP/dry" || fail "lightpeft-glue: $(head -2 "$TMP/dry")"
# The real study itself, shrunk by sed (a tiny encoder over the MiniLM vocabulary, short texts, 1-2 epochs,
# Light-PEFT's estimation and the pruning steps at 2), every 7th run: one run of each method stack (on six tasks) on the
# fixture's quirky files, evaluated every epoch, tabulated with its own spec.
sed "s|backbone: {name: pretrained_text, pool: auto, head: auto}|backbone: {name: bert, vocab_size: 30522, hidden_size: 32, num_layers: 2, num_heads: 4, intermediate_size: 64, max_position: 64, pool: cls, dropout: 0.0}|;
     s|max_length: 128, val_size: 1000|max_length: 32, val_size: 20|; s|estimation_steps: 800|estimation_steps: 2|;
     s|at_step: 800|at_step: 2|g; s|score_steps: 100|score_steps: 2|; s|train.epochs: \[5, 10, 10, 10, 10, 10\]|train.epochs: [1, 2, 2, 2, 2, 2]|" \
  "$SRC/experiments/lightpeft-glue/sweep.yaml" > "$TMP/lightpeft.yaml"
[ "$(grep -c "estimation_steps: 2\|at_step: 2\|name: bert\|train.epochs: \[1, 2" "$TMP/lightpeft.yaml")" = 6 ] ||
  fail "lightpeft-glue was not shrunk (its lines changed?): $(grep -n "estimation\|at_step\|backbone\|train.epochs" "$TMP/lightpeft.yaml")"
LDB="$TMP/lightpeft.sqlite"
"$CLI" sweep --db "$LDB" --no-progress --shard 0/7 "$TMP/lightpeft.yaml" "dataset.dir=$TMP/glue" measure.enabled=false \
  >"$TMP/lp.out" 2>&1 || fail "lightpeft-glue shrunk: exited $?: $(tail -5 "$TMP/lp.out")"
[ "$(sqlite3 "$LDB" "SELECT count(*) FROM runs WHERE status = 'done'")" = 6 ] ||
  fail "lightpeft-glue shrunk: $(sqlite3 "$LDB" "SELECT methods, status FROM runs")"
"$CLI" table --db "$LDB" --spec "$SRC/experiments/lightpeft-glue/table.yaml" >"$TMP/lp.table" 2>"$TMP/lp.table.err" ||
  fail "lightpeft-glue table: $(cat "$TMP/lp.table.err")"
grep -q "^Table: report: max_test (" "$TMP/lp.table" && grep -q "^| Light-PEFT | " "$TMP/lp.table" ||
  fail "lightpeft-glue table: $(cat "$TMP/lp.table")"
[ "$fails" = 0 ] && echo "GLUE: six runs with their task metrics; the Light-PEFT study resolves and runs shrunk"
exit "$fails"
