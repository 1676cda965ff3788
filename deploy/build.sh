#!/usr/bin/env bash
# Configures and builds edugate into build/ (incremental; ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${EDUGATE_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  # -g1: line tables and function names (backtraces, perf, gdb's bt) without the full debug
  # information, which costs a third of the compile time and most of the link time.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${EDUGATE_BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "$@"
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
