#!/usr/bin/env bash
# Command 2: set up (idempotent), then run the whole test suite through CTest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/setup.sh --with-slurm
BUILD_DIR="${ADAPTLAB_BUILD_DIR:-build}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
