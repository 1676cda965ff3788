#!/usr/bin/env bash
# Runs every benchmark scenario of ../shared/docs/performance.md (three times each, the server
# pinned to core 0 and the load generator to core 1) with the peers of the same run, and writes
# the results into docs/BENCHMARKS.md between its results markers.
#   ./deploy/bench.sh            the full run (about 15-25 minutes on 2 cores)
#   ./deploy/bench.sh --quick    every scenario for a second: proves it runs, measures nothing
# Extra arguments go to bench/run_bench.py (--runs, --duration, --connections, --long-requests).
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
# Peers and tools of the benchmark only (not needed to build or run edugate).
missing=()
for p in nodejs npm util-linux; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  command -v node >/dev/null && command -v npm >/dev/null || { $SUDO apt-get update -qq; $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
fi
BUILD_DIR=build-bench
EDUGATE_BUILD_DIR=$BUILD_DIR EDUGATE_BUILD_TYPE=RelWithDebInfo ./deploy/build.sh -DEDUGATE_BENCH_PEERS=ON
cmake --build "$BUILD_DIR" --target bench_gsoap_server perf_sqlite_batch -j "$(nproc)"
args=(--build "$BUILD_DIR")
GSOAP_SERVER=$(find "$BUILD_DIR" -type f -name bench_gsoap_server -perm -u+x | head -1)
[ -n "$GSOAP_SERVER" ] && args+=(--gsoap-server "$GSOAP_SERVER")
if bench/peers/node-soap/install.sh; then args+=(--node-soap bench/peers/node-soap); else echo "node-soap peer not installed: left out" >&2; fi
exec python3 bench/run_bench.py "${args[@]}" "$@"
