#!/usr/bin/env bash
# Command 1: set up (idempotent), run the default study, print its comparison table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/setup.sh
BUILD_DIR="${ADAPTLAB_BUILD_DIR:-build}"
"$BUILD_DIR/adaptlab" sweep experiments/default/sweep.yaml --per-device 2 "$@"
"$BUILD_DIR/adaptlab" table --study default
