#!/usr/bin/env bash
# Copies the worked plugin example out of the source tree and builds it there as its own CMake project,
# finding adaptlab only through its package: build_example.sh EXAMPLE_DIR WORK_DIR ADAPTLAB_DIR CMAKE CXX
set -euo pipefail
example="$1" work="$2" adaptlab_dir="$3" cmake="$4" cxx="$5"
rm -rf "$work"
mkdir -p "$work"
cp -r "$example" "$work/src"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
"$cmake" -S "$work/src" -B "$work/build" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -Dadaptlab_DIR="$adaptlab_dir" > "$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
test -f "$work/build/libia3.so"
echo "built $work/build/libia3.so"
