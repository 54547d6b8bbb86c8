#!/usr/bin/env bash
# Runs that start from other runs (init: from): the sweep runs a dependency before its dependents; a
# failed dependency blocks them (status 'blocked', with the reason) and a later sweep runs them once it is
# done; the dependent really starts from the dependency's trained tensors (a 1e-12 learning rate keeps
# them: its saved tensors equal the dependency's); its id follows the dependency's config; `adaptlab run
# --spec` of a dependent works on its own; ambiguous and missing dependencies are errors before anything runs.
# Usage: stages.sh ADAPTLAB FIXTURES TMPDIR SOURCE_DIR PYTHON
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3 SRC=$4 PY=$5
rm -rf "$TMP" && mkdir -p "$TMP"
DB="$TMP/stages.sqlite" SW="$FIX/stages_sweep.yaml"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
q() { sqlite3 "$DB" "$1"; }
check() { local got; got=$(q "$1"); [ "$got" = "$2" ] || fail "$1 -> '$got', expected '$2'"; }

# 1. The data is missing (its folder is there, empty: a folder that is not there at all is refused when
# the sweep is planned, before anything runs): both dependencies fail, both dependents are blocked (not
# run, not failed).
mkdir -p "$TMP/img/folder"
"$CLI" sweep --db "$DB" --no-progress "$SW" "dataset.dir=$TMP/img/folder" >"$TMP/out1" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "sweep with failing dependencies exited $rc, expected 2: $(tail -3 "$TMP/out1")"
check "SELECT count(*) FROM runs WHERE status = 'failed'" 2
check "SELECT count(*) FROM runs WHERE status = 'blocked' AND error LIKE 'its dependency % failed' AND started_at IS NULL" 2
grep -q "2 blocked (a dependency did not end done)" "$TMP/out1" || fail "no blocked count: $(tail -2 "$TMP/out1")"
"$CLI" status --db "$DB" > "$TMP/status" 2>&1 || fail "status exited $?"
grep -q "4 runs · 2 failed · 2 blocked" "$TMP/status" || fail "status: $(head -3 "$TMP/status")"

# 2. The data appears; the failed runs are retried and the blocked ones run after them.
"$PY" "$SRC/tools/data/make_image_fixtures.py" "$TMP/img" >/dev/null || fail "image fixtures"
"$CLI" sweep --db "$DB" --no-progress --retry-failed "$SW" "dataset.dir=$TMP/img/folder" >"$TMP/out2" 2>&1 ||
  fail "second sweep exited $?: $(tail -3 "$TMP/out2")"
check "SELECT count(*) FROM runs WHERE status = 'done'" 4
# Each dependent started after its dependency finished, and loaded that run's tensors (same seed).
check "SELECT count(*) FROM runs d JOIN runs p ON p.study = d.study AND p.seed = d.seed
       AND json_extract(p.config_json, '$.train.lr') = 0.01
       WHERE json_extract(d.config_json, '$.init[0].resolved_run') = p.id AND d.started_at >= p.finished_at" 2
"$PY" - "$TMP" <<'PYEOF' || fail "the dependents' tensors are not their dependencies' trained tensors"
import glob, json, sqlite3, sys
from safetensors.numpy import load_file
db = sqlite3.connect(f"{sys.argv[1]}/stages.sqlite")
pairs = db.execute("SELECT d.id, json_extract(d.config_json, '$.init[0].resolved_run') FROM runs d "
                   "WHERE json_extract(d.config_json, '$.train.lr') < 1e-6").fetchall()
assert len(pairs) == 2, pairs
for dep_id, src_id in pairs:
    a = load_file(f"{sys.argv[1]}/stages.artifacts/{dep_id}/trained.safetensors")
    b = load_file(f"{sys.argv[1]}/stages.artifacts/{src_id}/trained.safetensors")
    assert a.keys() == b.keys() and len(a) > 5, (a.keys(), b.keys())
    worst = max(float(abs(a[k].astype("float64") - b[k].astype("float64")).max()) for k in a)
    assert worst < 1e-8, worst  # random initialisations differ by ~1e-1
    print(f"{dep_id} starts from {src_id}: max |diff| {worst:.2e}")
PYEOF

# 3. Resume: nothing runs again.
"$CLI" sweep --db "$DB" --no-progress "$SW" "dataset.dir=$TMP/img/folder" >"$TMP/out3" 2>&1 || fail "resume exited $?"
grep -q "all 4 runs already done" "$TMP/out3" || fail "resume ran something: $(tail -2 "$TMP/out3")"
check "SELECT max(attempt) FROM runs WHERE status = 'done' AND json_extract(config_json, '$.train.lr') < 1e-6" 1

# 3b. --rerun of a dependency (same id, new tensors) runs its dependent again too, and only that one.
src0=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') = 0.01 AND seed = 0")
dep0=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') < 1e-6 AND seed = 0")
attempts() { q "SELECT group_concat(attempt, ',') FROM (SELECT attempt FROM runs ORDER BY seed, json_extract(config_json, '$.train.lr') DESC)"; }
before=$(attempts)
"$CLI" sweep --db "$DB" --dry-run "$SW" "dataset.dir=$TMP/img/folder" --rerun "$src0" > "$TMP/dry_rerun" 2>&1 || fail "dry run --rerun"
[ "$(grep -c -- "-> rerun" "$TMP/dry_rerun")" = 2 ] && grep -q "^$dep0  done -> rerun" "$TMP/dry_rerun" ||
  fail "dry run does not show the dependent re-run: $(cat "$TMP/dry_rerun")"
"$CLI" sweep --db "$DB" --no-progress "$SW" "dataset.dir=$TMP/img/folder" --rerun "$src0" >"$TMP/out_rerun" 2>&1 ||
  fail "--rerun exited $?: $(tail -3 "$TMP/out_rerun")"
grep -q "2 finished run(s) run again (--rerun: 1 of them start from a run sent again)" "$TMP/out_rerun" ||
  fail "--rerun message: $(grep -i rerun "$TMP/out_rerun")"
# seed 0's dependency and dependent one attempt more; seed 1's unchanged
IFS=, read -r a b c d <<< "$before"
[ "$(attempts)" = "$((a + 1)),$((b + 1)),$c,$d" ] || fail "attempts $before -> $(attempts)"
check "SELECT count(*) FROM runs d JOIN runs p ON p.id = '$src0' WHERE d.id = '$dep0' AND d.started_at >= p.finished_at" 1

# 4. A dependent run's spec runs on its own (it finds the artifact).
dep=$(q "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') < 1e-6 AND seed = 0")
"$CLI" run --spec "$TMP/stages.logs/$dep.spec.json" --device cpu >"$TMP/alone" 2>&1 || fail "run --spec of a dependent: $(tail -3 "$TMP/alone")"

# 5. The dependent's id follows its dependency's config; its own config is unchanged.
"$CLI" sweep --dry-run --db "$DB" "$SW" "dataset.dir=$TMP/img/folder" > "$TMP/dry_a" 2>&1 || fail "dry run a"
"$CLI" sweep --dry-run --db "$DB" "$SW" "dataset.dir=$TMP/img/folder" train.epochs=2 > "$TMP/dry_b" 2>&1 || fail "dry run b"
[ "$(grep -c '  new' "$TMP/dry_b")" = 4 ] || fail "changed epochs: $(cat "$TMP/dry_b")"
sed 's/\[1.0e-2, 1.0e-12\]/[2.0e-2, 1.0e-12]/; s/match: {train.lr: 1.0e-2}/match: {train.lr: 2.0e-2}/' "$SW" > "$TMP/changed.yaml"
"$CLI" sweep --dry-run --db "$DB" "$TMP/changed.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/dry_c" 2>&1 || fail "dry run c: $(cat "$TMP/dry_c")"
# Both stages are new: the dependents' own configs did not change, their dependencies' did.
[ "$(grep -c '  new' "$TMP/dry_c")" = 4 ] || fail "a changed dependency keeps its dependents' ids: $(cat "$TMP/dry_c")"

# 6. Missing and ambiguous dependencies: errors before anything runs, naming the candidates.
sed 's/match: {train.lr: 1.0e-2}/match: {train.lr: 5.0e-2}/' "$SW" > "$TMP/missing.yaml"
"$CLI" sweep --db "$TMP/m.sqlite" --no-progress "$TMP/missing.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/missing" 2>&1 &&
  fail "a missing dependency was accepted"
grep -q "init item 0 (study (this one), match {\"train.lr\":0.05}, same seed): matches no run of study stages" "$TMP/missing" ||
  fail "missing: $(cat "$TMP/missing")"
[ ! -e "$TMP/m.sqlite" ] || fail "a database was made before the error"
sed 's/match: {train.lr: 1.0e-2}, //; s/{from: {match: {train.lr: 1.0e-2}}}/{from: {same_seed: false, match: {train.lr: 1.0e-2}}}/' "$SW" > "$TMP/ambiguous.yaml"
"$CLI" sweep --db "$TMP/a.sqlite" --no-progress "$TMP/ambiguous.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/ambiguous" 2>&1 &&
  fail "an ambiguous dependency was accepted"
grep -q "matches 2 runs, it must match exactly one: [0-9a-f]* (full, seed 0, in this sweep), [0-9a-f]* (full, seed 1, in this sweep)" "$TMP/ambiguous" ||
  fail "ambiguous: $(cat "$TMP/ambiguous")"
sed 's/init: \[\[\], /init: [[{from: {match: {train.lr: 1.0e-12}}}], /' "$SW" > "$TMP/cycle.yaml"
"$CLI" sweep --dry-run --db "$TMP/c.sqlite" "$TMP/cycle.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/cycle" 2>&1 &&
  fail "a dependency cycle was accepted"
grep -q "the runs' dependencies form a cycle" "$TMP/cycle" || fail "cycle: $(cat "$TMP/cycle")"
# Across studies: a later study starts from this one's done runs.
cat > "$TMP/later.yaml" <<YAML
study: later
run:
  backbone: {name: vit, img_size: 16, patch_size: 8, embed_dim: 16, depth: 1, num_heads: 2}
  dataset: {name: image_folder, dir: $TMP/img/folder, img_size: 16}
  methods: [{name: lora, rank: 2, targets: [attn.qkv]}]
  train: {epochs: 1, batch_size: 4}
  measure: {enabled: false}
  init: [{from: {study: stages, match: {train.lr: 1.0e-2}}, exclude: [head.]}]
seeds: 2
YAML
"$CLI" sweep --db "$TMP/later.sqlite" --no-progress "$TMP/later.yaml" > "$TMP/later" 2>&1 || fail "later study: $(tail -3 "$TMP/later")"
[ "$(sqlite3 "$TMP/later.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'")" = 2 ] || fail "later study not done"
# 7. kill -9 of the driver while stage 2 runs, then resume: stage 1 is not run again, stage 2 ends done.
# Stage 2 runs LONG epochs: long enough (a few seconds) to be seen running and killed, short because it is
# paid about three times (the killed run, then the resume runs it again and the other one).
LONG=20
sed "s/  train.lr: \[1.0e-2, 1.0e-12\]/  train.lr: [1.0e-2, 1.0e-12]\n  train.epochs: [1, $LONG]/" "$SW" > "$TMP/long.yaml"
grep -q "train.epochs: \[1, $LONG\]" "$TMP/long.yaml" || fail "long.yaml: no stage-2 epochs: $(cat "$TMP/long.yaml")"
KDB="$TMP/kill.sqlite"
"$CLI" sweep --db "$KDB" --no-progress "$TMP/long.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/kill1" 2>&1 &
driver=$!
seen=0
for _ in $(seq 1 600); do  # until a stage-2 run is running (at most 60 s)
  # (-s: the sqlite3 shell would create an empty file before the sweep creates the database)
  [ -s "$KDB" ] && [ "$(sqlite3 "$KDB" "SELECT count(*) FROM runs WHERE status = 'running' AND json_extract(config_json, '$.train.epochs') = $LONG" 2>/dev/null)" = 1 ] && seen=1 && break
  sleep 0.1
done
kill -9 "$driver"
wait "$driver" 2>/dev/null
[ "$seen" = 1 ] || fail "kill: no stage-2 run was seen running (the kill did not hit stage 2): $(tail -3 "$TMP/kill1")"
kq() { sqlite3 "$KDB" "$1"; }
[ "$(kq "SELECT count(*) FROM runs WHERE status = 'done' AND json_extract(config_json, '$.train.epochs') = 1")" -ge 1 ] ||
  fail "kill: no stage-1 run done before the kill: $(kq "SELECT status FROM runs")"
[ "$(kq "SELECT count(*) FROM runs WHERE status = 'done' AND json_extract(config_json, '$.train.epochs') = $LONG")" -lt 2 ] ||
  fail "kill: stage 2 had ended before the kill"
"$CLI" sweep --db "$KDB" --no-progress "$TMP/long.yaml" "dataset.dir=$TMP/img/folder" > "$TMP/kill2" 2>&1 ||
  fail "resume after kill exited $?: $(tail -3 "$TMP/kill2")"
[ "$(kq "SELECT count(*) FROM runs WHERE status = 'done'")" = 4 ] || fail "kill: not all done after resume"
[ "$(kq "SELECT max(attempt) FROM runs WHERE json_extract(config_json, '$.train.epochs') = 1")" = 1 ] ||
  fail "kill: stage 1 ran again after the resume"
[ "$fails" = 0 ] && echo "init: from: dependencies run first, block on failure, resume, run alone; ids follow dependencies"
exit "$fails"
