#!/usr/bin/env bash
# experiments/variator-minilm end to end, shrunk (64 training examples, 1 epoch; 32 validation and 48 test
# examples of the task: the whole 1920-example test split, evaluated three times by the adapted run (its
# default and k = 2, 4), took most of the time on a loaded 2-core machine): plugin pre-training on
# the unlabelled WordNet corpus (distill: hidden, no head trained), task fine-tuning, then adaptation
# from both saved results; the adapted run evaluated at k = 2 and 4; the table.
# Usage: stages.sh ADAPTLAB TMPDIR SOURCE_DIR
set -uo pipefail
CLI=$1 TMP=$2 SRC=$3
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$TMP/v.sqlite" "$1"; }
python3 "$SRC/tools/data/build_wordnet_corpus.py" --out "$TMP/corpus" > /dev/null || fail "corpus build"
[ "$(wc -l < "$TMP/corpus/corpus.txt")" = 35544 ] || fail "corpus: $(wc -l < "$TMP/corpus/corpus.txt") lines"
sed "s/train_size: 1920/train_size: 64/g; s/val_size: 480/val_size: 32, test_size: 48/g; s/val_size: 64, test_size: 64/val_size: 16, test_size: 16/;
     s|data/wordnet-corpus/corpus.txt|$TMP/corpus/corpus.txt|; s|data/wordnet-lex|$SRC/data/wordnet-lex|g" \
  "$SRC/experiments/variator-minilm/sweep.yaml" > "$TMP/sweep.yaml"
[ "$(grep -c "test_size: 48" "$TMP/sweep.yaml")" = 2 ] && [ "$(grep -c "train_size: 64" "$TMP/sweep.yaml")" = 3 ] ||
  fail "the experiment was not shrunk (its sizes changed?): $(grep -n size "$TMP/sweep.yaml")"
"$CLI" sweep --db "$TMP/v.sqlite" --no-progress "$TMP/sweep.yaml" train.epochs=1 measure.enabled=false > "$TMP/out" 2>&1 ||
  fail "sweep exited $?: $(tail -3 "$TMP/out")"
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done'")" = 3 ] || fail "not 3 runs done: $(q "SELECT methods, status, error FROM runs")"
pre=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.methods[0].distill') = 'hidden'")
full=$(q "SELECT id FROM runs WHERE methods = 'full'")
adapt=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.methods[0].distill') = 'task-hidden'")
[ "$(q "SELECT json_extract(config_json, '$.init[0].resolved_run') || ',' || json_extract(config_json, '$.init[1].resolved_run') FROM runs WHERE id = '$adapt'")" = "$full,$pre" ] ||
  fail "stage 3 does not start from stages 1 and 2"
# Pre-training trains the plugins only (no label reaches the head): the adapted run's trainable tensors
# are the same plugins plus the 24-class head (384 x 24 + 24).
[ "$(q "SELECT (SELECT value FROM summary WHERE run_id = '$adapt' AND name = 'params.trainable') - (SELECT value FROM summary WHERE run_id = '$pre' AND name = 'params.trainable')")" = 9240.0 ] ||
  fail "pre-training trained more than the plugins"
[ "$(q "SELECT value FROM summary WHERE run_id = '$pre' AND name = 'test.unlabelled'")" = 0.0 ] || fail "pre-training metric"
[ "$(q "SELECT count(*) FROM summary WHERE run_id = '$adapt' AND name IN ('test.acc.k2', 'test.acc.k4')")" = 2 ] || fail "rates not evaluated"
"$CLI" table --db "$TMP/v.sqlite" --spec "$SRC/experiments/variator-minilm/table.yaml" > "$TMP/table" 2>/dev/null || fail "table"
grep -q "Variator adapted (stage 3)" "$TMP/table" || fail "table: $(cat "$TMP/table")"
[ "$fails" = 0 ] && echo "variator-minilm: pre-training -> fine-tuning -> adaptation ran in order from each other's tensors"
exit "$fails"
