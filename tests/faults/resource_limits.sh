#!/usr/bin/env bash
# Small inputs that would expand into huge ones are refused with the count, under a memory limit:
# a YAML alias bomb, a 1000x1000x1000 grid (also for --dry-run), a checkpoint that is /dev/zero or a
# FIFO, and a query whose rows never end. Usage: resource_limits.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
limited() { (ulimit -v 6000000; timeout 60 "$@"); }  # 6 GB of address space, 60 s
expect 1 "alias_bomb.yaml: the YAML expands to more than [0-9]+ nodes" -- limited "$CLI" sweep --dry-run "$FAULTS/fixtures/alias_bomb.yaml"
{
  sed -n '/^study/,/^  train/p' "$FAULTS/fixtures/tiny_run.yaml" | sed 's/^study: tiny/study: huge/'
  echo "grid:"
  for k in train.lr train.weight_decay train.batch_size; do
    printf '  %s: [' "$k"; seq -s, 1 1000 | tr -d '\n'; echo ']'
  done
} >"$TMP/huge.yaml"
expect 1 "huge.yaml: the sweep expands to 1000000000 runs .*over the limit of 10000.*max_runs" -- limited "$CLI" sweep --dry-run "$TMP/huge.yaml"
# The limit is the user's to raise (here to 5: still refused, with the count).
sed 's/^study: huge/study: huge\nmax_runs: 5/' "$TMP/huge.yaml" >"$TMP/huge5.yaml"
expect 1 "over the limit of 5" -- limited "$CLI" sweep --dry-run "$TMP/huge5.yaml"
ln -s /dev/zero "$TMP/zero.pt"
mkfifo "$TMP/fifo.safetensors"
for ck in "$TMP/zero.pt" "$TMP/fifo.safetensors"; do
  expect 2 "$ck: not a regular file" -- limited "$CLI" sweep --no-progress --db "$TMP/ck.sqlite" "$FAULTS/fixtures/tiny_run.yaml" \
    "backbone.checkpoint=$ck"
done
# A query that never ends is cut at --max-rows with a clear message.
"$CLI" sweep --no-progress --db "$TMP/q.sqlite" "$FAULTS/fixtures/tiny_run.yaml" >/dev/null 2>&1 || fail "tiny sweep"
expect 1 "query: more than 1000000 rows; add a LIMIT or raise --max-rows" -- limited "$CLI" query --db "$TMP/q.sqlite" \
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
expect 0 "^x$" -- limited "$CLI" query --format csv --max-rows 3 --db "$TMP/q.sqlite" \
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3) SELECT x FROM c"
finish "alias bombs, huge grids, /dev/zero and FIFO checkpoints and endless queries are refused"
