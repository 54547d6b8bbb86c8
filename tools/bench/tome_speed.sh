#!/usr/bin/env bash
# ToMe speed: adaptlab (C++) and the Python reference side by side, same machine, same threads.
#   bash tools/bench/tome_speed.sh [BATCH] [REPS] [THREADS] [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BATCH="${1:-8}" REPS="${2:-5}" THREADS="${3:-$(nproc)}" BUILD="${4:-$ROOT/build}"
ninja -C "$BUILD" adaptlab_bench_tome >/dev/null
"$BUILD/adaptlab_bench_tome" "$BATCH" "$REPS" "$THREADS"
"$ROOT/.venv/bin/python" "$ROOT/tools/bench/tome_reference.py" "$BATCH" "$REPS" "$THREADS"
