#!/usr/bin/env bash
# `cmake --install` gives a prefix that find_package(adaptlab) accepts: install_package.sh BUILD_DIR WORK CMAKE
set -euo pipefail
build="$1" work="$2" cmake="$3"
rm -rf "$work"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work.install.log" 2>&1 || { cat "$work.install.log"; exit 1; }
test -x "$work/prefix/bin/adaptlab"
test -f "$work/prefix/include/adaptlab/framework/registry/registries.h"
mkdir -p "$work/src"
cat > "$work/src/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(probe LANGUAGES CXX)
find_package(adaptlab 0.1 REQUIRED)
if(NOT EXISTS "${ADAPTLAB_EXECUTABLE}" OR NOT EXISTS "${ADAPTLAB_INCLUDE_DIRS}/framework/model/block.h")
  message(FATAL_ERROR "adaptlab package paths are wrong: ${ADAPTLAB_EXECUTABLE} ${ADAPTLAB_INCLUDE_DIRS}")
endif()
message(STATUS "adaptlab plugin API ${ADAPTLAB_PLUGIN_API_VERSION} at ${ADAPTLAB_EXECUTABLE}")
CM
"$cmake" -S "$work/src" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work.configure.log" 2>&1 \
  || { cat "$work.configure.log"; exit 1; }
grep "adaptlab plugin API" "$work.configure.log"
"$work/prefix/bin/adaptlab" list methods | grep -q lora   # the installed binary finds its libraries
