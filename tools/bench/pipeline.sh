#!/usr/bin/env bash
# The image input pipeline (issue 13): writes N photo-sized JPEGs (500×375, VTAB-like) as an image_folder,
# builds adaptlab_bench_pipeline and runs it ROUNDS times with the images cached (decoded once, kept as
# uint8) and streamed (cache: false: decoded per batch, ahead of the model), alternating, one process
# each; prints every JSON line and the medians.
#   bash tools/bench/pipeline.sh [N=1000] [ROUNDS=3] [BATCH=16] [BUILD_DIR=build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-1000}"; ROUNDS="${2:-3}"; BATCH="${3:-16}"; BUILD="${4:-$ROOT/build}"
PY="${ADAPTLAB_PYTHON:-$ROOT/.venv/bin/python}"
DIR="${TMPDIR:-/tmp}/adaptlab-pipeline-$N"
if [ ! -f "$DIR/.complete" ]; then
  rm -rf "$DIR"
  "$PY" - "$DIR" "$N" <<'PYEOF'
import os, sys
import numpy as np
from PIL import Image
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
for i in range(n):
    d = f"{out}/train/class_{i % 10}"
    os.makedirs(d, exist_ok=True)
    # smooth structure plus fine noise: JPEG sizes near a photo's (~60-90 KB at quality 90)
    low = rng.random((12, 16, 3))
    img = np.kron(low, np.ones((32, 32, 1)))[:375, :500] * 200 + rng.random((375, 500, 3)) * 55
    Image.fromarray(img.astype(np.uint8)).save(f"{d}/{i}.jpg", quality=90)
for s in ("val", "test"):
    for c in range(10):
        os.makedirs(f"{out}/{s}/class_{c}", exist_ok=True)
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(f"{out}/{s}/class_{c}/0.jpg")
open(f"{out}/.complete", "w").close()
PYEOF
fi
cmake --build "$BUILD" --target adaptlab_bench_pipeline >/dev/null
OUT="$(mktemp)"
for r in $(seq "$ROUNDS"); do
  for c in 1 0; do "$BUILD/adaptlab_bench_pipeline" "$DIR" "$c" "$BATCH" 5 64 | tee -a "$OUT"; done
done
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys = ["load_s", "kept_bytes", "decode_img_per_s", "forward_img_per_s", "epoch_img_per_s_prefetch0",
        "epoch_img_per_s_prefetch2", "peak_rss_bytes"]
for cache in (True, False):
    rs = [r for r in rows if r["cache"] == cache]
    print(f"cache={str(cache).lower():5} " + "  ".join(f"{k}={statistics.median(r[k] for r in rs):.4g}" for k in keys))
PYEOF
rm -f "$OUT"
