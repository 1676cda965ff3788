#!/usr/bin/env bash
# Configures and builds edugate into build/ (incremental; ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${EDUGATE_BUILD_DIR:-build}"
# ccache keyed on paths relative to the checkout and not on its directory: a fresh clone of a
# commit this machine has built already (CI runs in one) hits the cache instead of recompiling.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if command -v ccache >/dev/null && ! ccache -p 2>/dev/null | grep -q 'max_size = 2[0-9]'; then
  ccache -M 24G >/dev/null # two trees (normal and ASan) of several GB each
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  # -g1: line tables and function names (backtraces, perf, gdb's bt) without the full debug
  # information, which costs a third of the compile time and most of the link time.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${EDUGATE_BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "$@"
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
