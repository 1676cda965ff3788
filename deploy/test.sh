#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest; then builds the
# same tree with AddressSanitizer + UndefinedBehaviorSanitizer (every finding fatal) and runs the
# suite again under them, the gateway processes the tests start included.
#   EDUGATE_SANITIZE_SUITE=0 ./deploy/test.sh   skips the sanitizer pass (a quicker local run)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
./deploy/build.sh
BUILD_DIR="${EDUGATE_BUILD_DIR:-build}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 300

if [ "${EDUGATE_SANITIZE_SUITE:-1}" != "0" ]; then
  echo "== the suite again under ASan + UBSan =="
  # -g1 (line tables: reports still name file and line) and executables without PIE (the tests
  # start thousands of gateway processes; an instrumented PIE spends its start relocating).
  # The tree builds only what this pass runs: without the bench, its tests and the perf programs
  # (EDUGATE_BENCH=OFF; they measure or drive the gateway, and run in the first pass).
  EDUGATE_BUILD_DIR=build-asan EDUGATE_BUILD_TYPE=Debug ./deploy/build.sh -DEDUGATE_SANITIZE=ON -DEDUGATE_BENCH=OFF \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_EXE_LINKER_FLAGS=-no-pie
  SAN_LOGS=$(mktemp -d /tmp/edugate-sanitizer.XXXXXX)
  # Reports of every instrumented process (tests and the gateways they start) land in SAN_LOGS.
  export ASAN_OPTIONS="log_path=$SAN_LOGS/asan:detect_leaks=1:abort_on_error=0"
  export UBSAN_OPTIONS="log_path=$SAN_LOGS/ubsan:print_stacktrace=1:halt_on_error=1"
  # testssl.sh examines the TLS handshake only: the first pass covers it. Of the PostgreSQL
  # variants (pg.*), the SQL layer's unit tests, the outbox (Push) and the scale-out test run here
  # too; the other suites' pg.* copies exercise the same code as those and the SQLite suites.
  status=0
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" --timeout 600 \
    -E '^interop_testssl|^pg\.(Leerbedrijf|BpvMonitor|Praktijkloket|Registry|Reliability|Inbox|Cli|WsSecurityE2E)\.' || status=$?
  if compgen -G "$SAN_LOGS/*" > /dev/null; then
    echo "sanitizer reports:" >&2
    head -c 20000 "$SAN_LOGS"/* >&2
    status=1
  fi
  rm -rf "$SAN_LOGS"
  exit $status
fi
