#!/usr/bin/env bash
# A study's files beside its database (issue 25, 2-6 and 13): results gc under any spelling of --db, a
# moved study, two databases with one stem, init: from a replaced file, an interrupted --rerun chain,
# outputs to devices / FIFOs / links / folders, labels and drift checks of staged sweeps.
# Usage: study_files.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
SW="$FAULTS/fixtures/two_stages.yaml"
ok() { "$@" >out 2>&1 || fail "exit code $?: $*"$'\n'"$(tail -5 out)"; }
mkdir -p "$TMP/results"
cd "$TMP"
DB=results/two.sqlite
"$CLI" sweep --no-progress --db "$DB" "$SW" >out.sweep 2>&1 || fail "staged sweep exited $?: $(tail -3 out.sweep)"
check "$DB" "SELECT count(*) FROM runs WHERE status = 'done'" 4
n_art() { ls results/two.artifacts | grep -vc '^\.' ; }
[ "$(n_art)" = 4 ] || fail "expected 4 artifact folders, found $(n_art)"
# Artifacts are recorded relative to the database.
check "$DB" "SELECT count(*) FROM artifacts WHERE path LIKE 'two.artifacts/%/trained.safetensors'" 4

# 2. gc keeps done runs' tensors whatever path names the database.
ln -s results linked
for spelling in ./results/two.sqlite results/../results/two.sqlite linked/two.sqlite "$TMP/results/two.sqlite"; do
  expect 0 "0 artifact folder\(s\) of runs no longer in the database removed .* 4 kept" -- "$CLI" results gc --db "$spelling"
done
[ "$(n_art)" = 4 ] || fail "gc removed tensors of done runs"
# 13. Automatic labels of a staged sweep hold no resolved paths: one row per stage with mean ± std.
expect 0 "full \(init=from\(lr=0.01\), lr=0.001\) [|] \**[0-9.]+ ± [0-9.]+" -- "$CLI" table --db "$DB" --metric test.acc
grep -q "/" <(grep "^| full" out) && fail "a table row label holds a path: $(grep '^| full' out)"
grep -q "±" out || fail "the staged sweep's table shows no mean ± std over its 2 seeds: $(cat out)"

# 2. A moved study keeps working: resume (nothing re-run, no drift warning), gc, init: from.
mv results moved
expect 0 "all 4 runs already done" -- "$CLI" sweep --no-progress --db moved/two.sqlite "$SW"
grep -q "default changed" out && fail "a moved study warns about changed defaults: $(grep 'default changed' out)"
expect 0 "4 kept" -- "$CLI" results gc --db moved/two.sqlite
dep0=$(q moved/two.sqlite "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') < 5e-3 AND seed = 0")
expect 0 "1 finished run\(s\) run again" -- "$CLI" sweep --no-progress --db moved/two.sqlite "$SW" --rerun "$dep0"
check moved/two.sqlite "SELECT attempt FROM runs WHERE id = '$dep0'" 2
mv moved results

# 5. Two databases with one stem would share results/two.artifacts: the second is refused.
expect 1 "results/two.db and .*results/two.sqlite would share .*two.artifacts|belongs to the database .*two.sqlite" -- \
  "$CLI" sweep --no-progress --db results/two.db "$SW"
expect 1 "belongs to the database .*two.sqlite" -- "$CLI" results gc --db results/two.db
[ "$(n_art)" = 4 ] || fail "the second database's gc removed the first one's tensors"

# 3. init: from checks the file it loads: seed 1's dependency tensors replaced by seed 0's -> refused.
src0=$(q $DB "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') > 5e-3 AND seed = 0")
src1=$(q $DB "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') > 5e-3 AND seed = 1")
dep1=$(q $DB "SELECT id FROM runs WHERE json_extract(config_json, '$.train.lr') < 5e-3 AND seed = 1")
cp results/two.artifacts/$src1/trained.safetensors saved1
cp results/two.artifacts/$src0/trained.safetensors results/two.artifacts/$src1/trained.safetensors
expect 2 "failed" -- "$CLI" sweep --no-progress --db $DB "$SW" --rerun "$dep1"
check $DB "SELECT status FROM runs WHERE id = '$dep1'" failed
check $DB "SELECT error LIKE '%the saved tensors of run $src1 (study two) changed since they were recorded%re-run $src1%' FROM runs WHERE id = '$dep1'" 1
cp saved1 results/two.artifacts/$src1/trained.safetensors
ok "$CLI" sweep --no-progress --db $DB "$SW" --retry-failed
check $DB "SELECT count(*) FROM runs WHERE status = 'done'" 4

# 4. An interrupted --rerun chain: the dependencies trained again (here by a sweep of the first stage
# alone, the state a kill -9 right after them leaves), their dependents not. Training is deterministic
# here, so the new tensors equal the old ones and nothing is out of date; a retrain with other results
# (other code, a GPU) is simulated by recording other start tensors for seed 0's dependent. A plain
# sweep then finds it out of date and runs it again.
cat >first.yaml <<YAML
study: two
run:
  backbone: {name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}
  dataset: {name: synthetic, img_size: 8, num_classes: 3, train_size: 48, val_size: 12, test_size: 24}
  train: {epochs: 1, batch_size: 16, warmup_epochs: 0, lr: 1.0e-2}
  measure: {enabled: false}
  methods: [full]
seeds: 2
YAML
ok "$CLI" sweep --no-progress --db $DB first.yaml --rerun all
check $DB "SELECT group_concat(attempt) FROM runs WHERE id IN ('$src0', '$src1')" "2,2"
expect 0 "all 4 runs already done" -- "$CLI" sweep --no-progress --db $DB "$SW"
sqlite3 $DB "UPDATE provenance SET value = '0123456789abcdef0123456789abcdef' WHERE run_id = '$dep0' AND key = 'init.0.hash'"
before=$(q $DB "SELECT attempt FROM runs WHERE id = '$dep0'")
expect 0 "run $dep0 is out of date: its dependency $src0 \(init item 0\) was trained again since it started from it" -- \
  "$CLI" sweep --no-progress --db $DB "$SW"
check $DB "SELECT attempt FROM runs WHERE id = '$dep0'" $((before + 1))
check $DB "SELECT count(*) FROM runs WHERE status = 'done'" 4
expect 0 "all 4 runs already done" -- "$CLI" sweep --no-progress --db $DB "$SW"
# Both sweep files that wrote to the study are on record.
check $DB "SELECT count(*) FROM study_sweeps WHERE study = 'two'" 2

# 6. Outputs: a device is written, never replaced; a FIFO is written; a link named <out>.tmp is not
# followed; a folder is refused naming it, leaving nothing behind.
ok "$CLI" export --db $DB -o /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkfifo fifo
timeout 60 cat fifo >from_fifo & reader=$!
ok "$CLI" table --db $DB -o fifo
wait $reader
grep -q "^| full" from_fifo || fail "the table did not arrive through the FIFO: $(head -3 from_fifo)"
[ -p fifo ] || fail "the FIFO was replaced"
echo precious >target
ln -s target table.md.tmp
ok "$CLI" table --db $DB -o table.md
[ "$(cat target)" = precious ] || fail "a link named table.md.tmp was followed and its target overwritten"
grep -q "^| full" table.md || fail "table.md not written"
mkdir outdir
expect 1 "outdir: is a folder; cannot write the output there \(give a file name\)" -- "$CLI" table --db $DB -o outdir
[ -z "$(ls -A outdir)" ] && [ -z "$(ls outdir.tmp* 2>/dev/null)" ] || fail "something was left behind: $(ls -d outdir*)"
mkdir outdir.svg outdir.png
expect 1 "outdir.svg: is a folder; cannot write the output there" -- "$CLI" plot curves --db $DB -o outdir.svg
expect 1 "outdir.png: is a folder; cannot write the plot there" -- "$CLI" plot curves --db $DB -o outdir.png

# Provenance: a plugin loaded but not used by a run is not stamped on it; a plugin that changed since a
# run was made is said on resume.
cp "$PLUGIN" plug.so
ok "$CLI" --plugin ./plug.so sweep --no-progress --db results/p.sqlite "$FAULTS/fixtures/tiny_run.yaml"
check results/p.sqlite "SELECT count(*) FROM provenance WHERE key LIKE 'plugin.%'" 0
sed 's/^study: onefails/study: plug/; /kind: exit/d' "$FAULTS/fixtures/one_fails.yaml" >plug.yaml
ok "$CLI" --plugin ./plug.so sweep --no-progress --db results/p.sqlite plug.yaml
check results/p.sqlite "SELECT count(*) FROM provenance WHERE key LIKE 'plugin.0.hash' AND run_id IN (SELECT id FROM runs WHERE study = 'plug')" 1
printf 'rebuilt' >>plug.so
expect 0 "was made with plugin .*plug.so as it was then \(hash [0-9a-f]+\); the file has changed since" -- \
  "$CLI" --plugin ./plug.so sweep --no-progress --db results/p.sqlite plug.yaml
# results rm: drops runs by id or condition (attempts kept in run_history); a later sweep runs them again.
before_hist=$(q $DB "SELECT count(*) FROM run_history WHERE run_id = '$dep1'")
expect 0 "would remove $dep1" -- "$CLI" results rm --db $DB --dry-run "$dep1"
check $DB "SELECT count(*) FROM runs WHERE id = '$dep1'" 1
expect 0 "1 run\(s\) of study two removed" -- "$CLI" results rm --db $DB "$dep1"
check $DB "SELECT count(*) FROM runs WHERE id = '$dep1'" 0
check $DB "SELECT count(*) FROM run_history WHERE run_id = '$dep1'" $((before_hist + 1))
check $DB "SELECT count(*) FROM summary WHERE run_id = '$dep1'" 0
expect 0 "2 run\(s\) of study two removed" -- "$CLI" results rm --db $DB "train.lr=0.01"
check $DB "SELECT count(*) FROM runs" 1
expect 0 "3 run\(s\) run again|3 run, 1 skipped" -- "$CLI" sweep --no-progress --db $DB "$SW"
check $DB "SELECT count(*) FROM runs WHERE status = 'done'" 4
finish "gc under any --db spelling, moved studies, one stem, replaced init files, interrupted rerun chains, outputs"
