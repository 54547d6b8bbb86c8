#!/usr/bin/env bash
# experiments/variator-glue end to end on stand-ins: a tiny T5 folder (tools/data/make_tiny_t5.py: random
# weights, a SentencePiece model trained on the shipped WordNet text) and the generated GLUE fixture;
# stage 1 (plugin pre-training on plain text), stage 2 (full fine-tuning per task), stage 3 (adaptation
# per task, from both), on six GLUE tasks. The driver is killed (-9) while a stage-2 run trains, then resumed: nothing
# done is run again and the study completes; the table shows each task, the FLOPs saving and the added
# parameters.
# Usage: glue_stages.sh ADAPTLAB TMPDIR SOURCE_DIR PYTHON
set -uo pipefail
CLI=$1 TMP=$2 SRC=$3 PY=$4
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
DB="$TMP/v.sqlite"
q() { sqlite3 "$DB" "$1"; }
"$PY" "$SRC/tools/data/make_tiny_t5.py" "$TMP/t5" --corpus "$SRC/data/wordnet-corpus/corpus.txt" > "$TMP/t5.out" 2>&1 ||
  fail "tiny T5: $(tail -3 "$TMP/t5.out")"
"$PY" "$SRC/tools/data/make_glue_fixture.py" "$TMP/glue" --train 120 --dev 40 || fail "GLUE fixture"
# The study with the stand-ins' paths, words that are one piece of the tiny vocabulary, short texts,
# small splits, a narrower adapter (at d_model 32 the default 64 would cost more than k saves); stage 2
# trains 6 epochs so that the kill finds it running.
sed "s|data/glue|$TMP/glue|g; s|data/wordnet-corpus/corpus.txt|$SRC/data/wordnet-corpus/corpus.txt|;
     s|t5-base|$TMP/t5|g; s|- \[[a-z]*, [a-z]*\]|- [no, the]|; s|- \[[a-z]*, [a-z]*, [a-z]*\]|- [no, the, of]|; s|max_length: 128}|max_length: 32, val_size: 20}|g;
     s|lower_case: false, max_length: 32, val_size: 20}|lower_case: false, max_length: 32, train_size: 64, val_size: 16, test_size: 16}|;
     s|train.max_steps: \[60000,|train.max_steps: [6,|; s|train.epochs: \[1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3\]|train.epochs: [1, 6, 1, 6, 1, 6, 1, 6, 1, 6, 1, 6, 1]|; s|match: released|match: released, adapter_dim: 8|" \
  "$SRC/experiments/variator-glue/sweep.yaml" > "$TMP/sweep.yaml"
grep -q "train_size: 64" "$TMP/sweep.yaml" && [ "$(grep -c "name: variator.*adapter_dim: 8" "$TMP/sweep.yaml")" = 7 ] && grep -q "\[1, 6, 1" "$TMP/sweep.yaml" && grep -q "max_steps: \[6," "$TMP/sweep.yaml" ||
  fail "sed did not apply"
ARGS=(measure.repeats=2 measure.latency_repeats=2 measure.train_steps=2 measure.train_warmup=1 train.batch_size=16)
"$CLI" sweep --db "$DB" --no-progress "$TMP/sweep.yaml" "${ARGS[@]}" > "$TMP/run1" 2>&1 &
driver=$!
for _ in $(seq 1 1200); do  # until a stage-2 run trains (at most 120 s)
  # (-s: the sqlite3 shell would create an empty file before the sweep creates the database)
  [ -s "$DB" ] && [ "$(q "SELECT count(*) FROM runs WHERE status = 'running' AND methods = 'full'" 2>/dev/null)" = 1 ] && break
  sleep 0.1
done
kill -9 "$driver"
wait "$driver" 2>/dev/null
done_before=$(q "SELECT group_concat(id) FROM runs WHERE status = 'done'")
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done' AND methods = 'full'")" -lt 6 ] || fail "stage 2 had ended before the kill"
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done' AND methods != 'full' AND json_extract(config_json, '$.dataset.name') = 'glue'")" = 0 ] ||
  fail "a stage-3 run ended before its stage 2"
"$CLI" sweep --db "$DB" --no-progress "$TMP/sweep.yaml" "${ARGS[@]}" > "$TMP/run2" 2>&1 ||
  fail "resume exited $?: $(tail -5 "$TMP/run2")"
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done'")" = 13 ] || fail "not 13 runs done: $(q "SELECT methods, status, error FROM runs")"
for id in ${done_before//,/ }; do
  [ "$(q "SELECT attempt FROM runs WHERE id = '$id'")" = 1 ] || fail "run $id, done before the kill, ran again"
done
pre=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.dataset.name') = 'text_corpus'")
# Pre-training ran its max_steps (6, at batch 16 over 64 passages: 4 steps, then 2 of a second pass).
[ "$(q "SELECT max(step) FROM metrics WHERE run_id = '$pre' AND split = 'train' AND name = 'loss'")" = 6 ] ||
  fail "pre-training did not run 6 steps: $(q "SELECT max(step) FROM metrics WHERE run_id = '$pre'")"
for task in sst2 mrpc qqp qnli rte mnli; do
  full=$(q "SELECT id FROM runs WHERE methods = 'full' AND json_extract(config_json, '$.dataset.task') = '$task'")
  adapt=$(q "SELECT id FROM runs WHERE methods != 'full' AND json_extract(config_json, '$.dataset.task') = '$task'")
  [ "$(q "SELECT json_extract(config_json, '$.init[0].resolved_run') || ',' || json_extract(config_json, '$.init[1].resolved_run') FROM runs WHERE id = '$adapt'")" = "$full,$pre" ] ||
    fail "$task: stage 3 does not start from its stage 2 and stage 1"
  [ "$(q "SELECT count(*) FROM summary WHERE run_id = '$adapt' AND name IN ('test.score.k2', 'test.score.k4', 'flops.forward.k4')")" = 3 ] ||
    fail "$task: rates not evaluated and measured"
  # The encoder FFNs run on fewer vectors: fewer FLOPs at k = 2, fewer still at k = 4.
  [ "$(q "SELECT (SELECT value FROM summary WHERE run_id = '$adapt' AND name = 'flops.forward.k4') < (SELECT value FROM summary WHERE run_id = '$adapt' AND name = 'flops.forward') AND (SELECT value FROM summary WHERE run_id = '$adapt' AND name = 'flops.forward') < (SELECT value FROM summary WHERE run_id = '$full' AND name = 'flops.forward')")" = 1 ] ||
    fail "$task: FLOPs do not fall with k"
done
# Stage 3 trains the plugins alone (train_head: false): as many tensors as stage 1 trained.
[ "$(q "SELECT count(DISTINCT value) FROM summary WHERE name = 'params.trainable' AND run_id IN (SELECT id FROM runs WHERE methods != 'full')")" = 1 ] ||
  fail "stage 3 trains more than the plugins"
"$CLI" table --db "$DB" --spec "$SRC/experiments/variator-glue/table.yaml" > "$TMP/table" 2>"$TMP/table.err" || fail "table: $(cat "$TMP/table.err")"
grep -q "Variator adapted (stage 3)" "$TMP/table" && grep -q "FLOPs k=4 vs fine-tuned (%)" "$TMP/table" || fail "table: $(cat "$TMP/table")"
grep "Variator adapted" "$TMP/table" | grep -q -- "| -" || fail "table: no saving shown: $(cat "$TMP/table")"
# The best dev value over the epochs, as the released train_t5.py keeps its best model; labelled.
grep -q "^Table: report: max_test (" "$TMP/table" || fail "table caption: $(cat "$TMP/table")"
cat "$TMP/table"
[ "$fails" = 0 ] && echo "variator-glue: three stages on T5 + GLUE, killed during stage 2 and resumed"
exit "$fails"
