#!/usr/bin/env bash
# The out-of-tree IA³ plugin in a real sweep: ia3_sweep.sh ADAPTLAB WORK_DIR
set -euo pipefail
adaptlab="$1" work="$2"
plugin="$work/build/libia3.so"
db="$work/ia3.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { "$adaptlab" query --db "$db" --format csv "$1" | tail -n +2; }

"$adaptlab" --threads 1 --plugin "$plugin" sweep "$work/src/sweep.yaml" --db "$db" --no-progress \
  --log-dir "$work/logs" || fail "the sweep failed"
[ "$(q "SELECT count(*) FROM runs WHERE status = 'done'")" = 3 ] || fail "not every run is done"
# prepare_inference folds l_k, l_v (and l_ff) into the weights without changing the function.
for v in $(q "SELECT s.value FROM summary s JOIN runs r ON r.id = s.run_id WHERE r.methods = 'ia3' AND s.name = 'inference.max_logit_diff'"); do
  python3 -c "import sys; sys.exit(0 if float('$v') < 1e-4 else 1)" || fail "merging IA³ changed the logits by $v"
done
# Trainable parameters: per block l_k, l_v (16 each) + l_ff (64), two blocks, + the head (16·3 + 3).
counts="$(q "SELECT group_concat(CAST(s.value AS INTEGER), ' ') FROM (SELECT s.value FROM summary s JOIN runs r ON r.id = s.run_id WHERE r.methods = 'ia3' AND s.name = 'params.trainable.ia3' ORDER BY s.value) s")"
[ "$counts" = "147 243" ] || fail "IA³ trainable parameters are $counts, expected 147 (k, v, fc2 outputs) and 243 (k, v, FFN hidden)"
# The plugin's path and content hash are in every IA³ run's provenance and spec.
hash="$(q "SELECT value FROM provenance WHERE key = 'plugin.0.hash' LIMIT 1")"
[ -n "$hash" ] || fail "no plugin hash in the provenance"
[ "$(q "SELECT value FROM provenance WHERE key = 'plugin.0.path' LIMIT 1")" = "$(readlink -f "$plugin")" ] \
  || fail "the provenance names another plugin path"
# `adaptlab run --spec` of a plugin run works on its own: the spec names the plugin.
id="$(q "SELECT id FROM runs WHERE methods = 'ia3' LIMIT 1")"
grep -q "$hash" "$work/logs/$id.spec.json" || fail "the spec file lacks the plugin hash"
"$adaptlab" --threads 1 run --spec "$work/logs/$id.spec.json" > "$work/rerun.jsonl" 2> "$work/rerun.err" \
  || { cat "$work/rerun.err"; fail "adaptlab run --spec of a plugin run failed"; }
grep -q '"event":"summary"' "$work/rerun.jsonl" || fail "the re-run reported no summary"
grep -q "\"run\":\"$id\"" "$work/rerun.jsonl" || fail "the re-run reported another run id"
echo "ok: 3 runs, IA³ merged exactly, counts $counts, plugin $hash"
