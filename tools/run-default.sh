#!/usr/bin/env bash
# Command 1: set up (idempotent), run the default study, print its comparison table.
# The table is printed whatever the sweep's exit code (a run that failed or was interrupted shows as
# missing); the script then exits with the sweep's code. Running it again resumes the sweep.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/setup.sh
BUILD_DIR="${ADAPTLAB_BUILD_DIR:-build}"
rc=0
"$BUILD_DIR/adaptlab" sweep experiments/default/sweep.yaml --per-device 2 "$@" || rc=$?
if [ -f results/default.sqlite ]; then
  "$BUILD_DIR/adaptlab" table --study default
fi
if [ "$rc" != 0 ]; then
  echo "run-default.sh: the sweep exited $rc (not every run is done; the table shows what is). Run this script again to resume." >&2
fi
exit "$rc"
