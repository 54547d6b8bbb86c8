#!/usr/bin/env bash
# The image studies through the sweep runner: the shipped digits task built from scikit-learn's files
# (its split sizes, a second build a no-op) and a slice of experiments/digits run on it; PYRA's VTAB-1k
# study on the generated VTAB-1k fixture with a tiny 12-block ViT (every method stack of the study, the
# grouped table), and the whole study's expansion (19 tasks × 5 stacks).
# Usage: image_studies.sh ADAPTLAB TMPDIR SOURCE_DIR PYTHON
set -uo pipefail
CLI=$1 TMP=$2 SRC=$3 PY=$4
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$1" "$2"; }

# ---- digits -----------------------------------------------------------------------------------------
csv="$("$PY" -c "import os, sklearn; print(os.path.join(os.path.dirname(sklearn.__file__), 'datasets', 'data', 'digits.csv.gz'))")"
"$PY" "$SRC/tools/data/build_digits.py" --csv "$csv" --out "$TMP/digits" >"$TMP/build" || fail "build_digits"
for s in train:1000 val:297 test:500; do
  n=$(find "$TMP/digits/${s%%:*}" -name '*.png' | wc -l)
  [ "$n" = "${s##*:}" ] || fail "digits ${s%%:*}: $n images, expected ${s##*:}"
done
[ "$(ls "$TMP/digits/train" | wc -l)" = 10 ] || fail "digits: not 10 class folders"
"$PY" "$SRC/tools/data/build_digits.py" --csv "$csv" --out "$TMP/digits" >"$TMP/build2" || fail "second build"
[ -s "$TMP/build2" ] && fail "a second build rebuilt: $(cat "$TMP/build2")"
DB="$TMP/digits.sqlite"
"$CLI" sweep --db "$DB" --no-progress --shard 0/5 "$SRC/experiments/digits/sweep.yaml" "dataset.dir=$TMP/digits" \
  train.epochs=1 train.warmup_epochs=0.5 train.eval_every=1 measure.enabled=false >"$TMP/digits.out" 2>&1 ||
  fail "digits sweep exited $?: $(tail -5 "$TMP/digits.out")"
[ "$(q "$DB" "SELECT count(*) FROM runs WHERE status = 'done'")" = 3 ] || fail "digits: not 3 done runs"
# 1,000 training images in batches of 64: 16 steps an epoch (the last batch partial).
[ "$(q "$DB" "SELECT count(*) FROM summary WHERE name = 'train.steps' AND value = 16")" = 3 ] || fail "digits: not 16 steps"
[ "$(q "$DB" "SELECT count(*) FROM summary WHERE name = 'test.acc' AND value BETWEEN 0 AND 1")" = 3 ] || fail "digits: test.acc"

# ---- PYRA on VTAB-1k (fixture) ----------------------------------------------------------------------
"$PY" "$SRC/tools/data/make_image_fixtures.py" "$TMP/img" >/dev/null || fail "image fixtures"
DB="$TMP/vtab.sqlite"
TINY=('backbone.preset=""' 'backbone.checkpoint=""' backbone.img_size=224 backbone.patch_size=16
      backbone.embed_dim=16 backbone.depth=12 backbone.num_heads=2)
"$CLI" sweep --db "$DB" --no-progress --shard 0/19 "$SRC/experiments/pyra-vtab1k/sweep.yaml" "dataset.dir=$TMP/img/vtab1k" \
  "${TINY[@]}" train.epochs=2 train.warmup_epochs=1 train.eval_every=1 train.eval_offset=0 train.batch_size=5 \
  dataset.cache=false measure.enabled=false >"$TMP/vtab.out" 2>&1 || fail "vtab sweep exited $?: $(tail -5 "$TMP/vtab.out")"
# 12 training images in batches of 5, the partial one dropped (drop_last): 2 steps an epoch.
[ "$(q "$DB" "SELECT count(*) FROM summary WHERE name = 'train.steps' AND value = 4")" = 5 ] ||
  fail "vtab: drop_last: $(q "$DB" "SELECT value FROM summary WHERE name = 'train.steps'")"
# Shard 0 of 19 holds one run of each of the five method stacks (on five tasks).
[ "$(q "$DB" "SELECT count(DISTINCT label) FROM runs WHERE status = 'done'")" = 5 ] ||
  fail "vtab: $(q "$DB" "SELECT label, status FROM runs")"
[ "$(q "$DB" "SELECT count(*) FROM summary WHERE name = 'params.trainable.pyra' AND value > 0")" = 2 ] || fail "vtab: pyra's parameters"
"$CLI" table --db "$DB" --spec "$SRC/experiments/pyra-vtab1k/table.yaml" >"$TMP/table" 2>"$TMP/table.err" || fail "table: $(cat "$TMP/table.err")"
grep -q "| LoRA + PYRA (high) |" "$TMP/table" || fail "table rows: $(cat "$TMP/table")"
grep -q "| Natural mean | Specialized mean | Structured mean |" "$TMP/table" || fail "table groups: $(head -1 "$TMP/table")"
# The study evaluates test every epoch as the released loop does (train.eval_splits: [val, test]) and its
# table reports the maximum over them, labelled; --report last gives each run's last epoch.
[ "$(q "$DB" "SELECT count(*) FROM metrics WHERE split = 'test' AND name = 'acc' AND epoch IN (1, 2)")" = 10 ] ||
  fail "vtab: per-epoch test rows: $(q "$DB" "SELECT split, name, epoch FROM metrics WHERE split = 'test'")"
grep -q "^Table: report: max_test (" "$TMP/table" || fail "table caption: $(tail -3 "$TMP/table")"
"$CLI" table --db "$DB" --spec "$SRC/experiments/pyra-vtab1k/table.yaml" --report last >"$TMP/table.last" 2>&1 ||
  fail "table --report last: $(cat "$TMP/table.last")"
grep -q "^Table: report: last (" "$TMP/table.last" || fail "table --report last caption: $(tail -3 "$TMP/table.last")"
"$CLI" sweep --dry-run --db "$TMP/none.sqlite" "$SRC/experiments/pyra-vtab1k/sweep.yaml" "dataset.dir=$TMP/img/vtab1k" \
  "${TINY[@]}" >"$TMP/dry" 2>&1 || fail "pyra-vtab1k dry run: $(tail -3 "$TMP/dry")"
grep -q "study pyra-vtab1k: 95 runs" "$TMP/dry" || fail "pyra-vtab1k: $(head -2 "$TMP/dry")"
[ "$fails" = 0 ] && echo "image studies: digits built and trained; PYRA's VTAB-1k study runs every stack on the fixture"
exit "$fails"
