#!/usr/bin/env bash
# Variator on a T5-base-sized model (random weights: d_model 768, d_ff 3072, 12 + 12 layers, 12 heads; no
# t5-base ships here): FLOPs per example and eval throughput of the fine-tuned model (full) and of the
# plugins at k = 2 and 4, from adaptlab's measurement phase; beside them, transformers'
# T5ForConditionalGeneration forward on the same sizes, batch and threads (the reference speed).
#   bash tools/bench/variator_t5.sh [MAX_LENGTH=64] [BATCH=8] [BUILD_DIR=build]
set -euo pipefail
L=${1:-64} B=${2:-8} BUILD=${3:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$PY" "$ROOT/tools/data/make_glue_fixture.py" "$TMP/glue" --train 64 --dev 64 >/dev/null
"$PY" "$ROOT/tools/data/make_tiny_t5.py" "$TMP/tok" --corpus "$ROOT/data/wordnet-corpus/corpus.txt" >/dev/null 2>&1
cat > "$TMP/sweep.yaml" <<YAML
study: variator-t5-bench
run:
  backbone: {name: t5, d_model: 768, d_kv: 64, d_ff: 3072, num_layers: 12, num_decoder_layers: 12, num_heads: 12,
             feed_forward: relu, dropout: 0.0, label_ids: [3, 4], decoder_input: [0, 32099]}
  dataset: {name: glue, task: sst2, dir: $TMP/glue, vocab: $TMP/tok, lower_case: false, max_length: $L,
            train_size: 8, val_size: 8, test_size: 64}
  train: {epochs: 1, batch_size: 8, eval_batch_size: $B, warmup_epochs: 0}
  measure: {batch_size: $B, batches: 2, warmup: 1, repeats: 5, latency_repeats: 3, train_steps: 2, train_warmup: 1}
grid:
  methods: [[full], [{name: variator, ks: [2, 4], distill: task}]]
YAML
"$ROOT/$BUILD/adaptlab" sweep --db "$TMP/b.sqlite" --no-progress "$TMP/sweep.yaml" >"$TMP/sweep.out" 2>&1 ||
  { tail -20 "$TMP/sweep.out"; exit 1; }
sqlite3 -header -column "$TMP/b.sqlite" "SELECT r.methods, s.name, printf('%.4g', s.value) AS value FROM summary s JOIN runs r ON r.id = s.run_id
  WHERE s.name IN ('flops.forward', 'flops.forward.k2', 'flops.forward.k4', 'throughput.eval', 'throughput.eval.k2',
                   'throughput.eval.k4', 'params.total', 'params.trainable') ORDER BY r.methods, s.name"
"$PY" - "$L" "$B" <<'PYEOF'
import statistics, sys, time
import torch
from transformers import T5Config, T5ForConditionalGeneration
L, B = int(sys.argv[1]), int(sys.argv[2])  # torch's default threads, as adaptlab's (the physical cores)
cfg = T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_decoder_layers=12, num_heads=12,
               feed_forward_proj="relu", dropout_rate=0.0)
m = T5ForConditionalGeneration(cfg).eval()
ids = torch.randint(3, 900, (B, L))
dec = torch.tensor([[0, 32099]]).expand(B, 2)
times = []
with torch.no_grad():
    for i in range(7):
        t = time.perf_counter()
        m(input_ids=ids, attention_mask=torch.ones_like(ids), decoder_input_ids=dec).logits[:, -1, [3, 4]].argmax(-1)
        if i >= 2:
            times.append(time.perf_counter() - t)
print(f"transformers T5 forward (same sizes, batch {B}, {L} tokens, {torch.get_num_threads()} threads): "
      f"{B / statistics.median(times):.2f} examples/s (median of {len(times)})")
PYEOF
