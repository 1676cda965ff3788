#!/usr/bin/env bash
# Installs the Debian 12 packages edugate needs to build, test and run. Idempotent: installs
# only what is missing, so a second run costs a dpkg query.
#   deploy/install-deps.sh               build + test (what deploy/test.sh and the quickstart need)
#   deploy/install-deps.sh --build-only  build only (the Dockerfile's build stage)
#   deploy/install-deps.sh --runtime     only what the built binary needs to run (a server)
set -euo pipefail

# Compilers, build tools and the libraries' -dev packages.
BUILD=(
  build-essential cmake ninja-build ccache pkg-config git
  gsoap libgsoap-dev
  libboost-dev libssl-dev openssl
  libxml2-dev libxml2-utils libxmlsec1-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3
  libcairo2-dev libjpeg62-turbo-dev fonts-dejavu-core
  libpq-dev
)
# The test suite: unit and integration tests, interop clients, and the checks of deploy/:
# promtool (package prometheus) reads /metrics, haproxy -c the HAProxy example, python3-yaml
# the Kubernetes manifests; postgresql-15 is the server the PostgreSQL tests start themselves.
TEST=(
  libgtest-dev libgmock-dev
  python3 python3-zeep python3-requests python3-yaml
  procps testssl.sh curl
  xmlsec1 python3-xmlsec python3-lxml
  poppler-utils
  prometheus haproxy postgresql-15
)
# Running the binary (what deploy/docker/Dockerfile's runtime stage installs): the shared
# libraries it links, the font of the PDFs, sqlite3 for online backups, openssl for operators.
RUNTIME=(
  libgsoap-2.8.124 libssl3 openssl libxml2 libxmlsec1 libxmlsec1-openssl
  libyaml-cpp0.7 libspdlog1.10 libfmt9 libsqlite3-0 sqlite3
  libcairo2 libjpeg62-turbo fonts-dejavu-core ca-certificates libpq5
)

case "${1:-}" in
  --build-only) PACKAGES=("${BUILD[@]}") ;;
  --runtime) PACKAGES=("${RUNTIME[@]}") ;;
  "")
    PACKAGES=("${BUILD[@]}" "${TEST[@]}")
    # The OpenAPI validator of the JSON bridge's tests (tests/openapi, npm ci): node and npm. A
    # node installed otherwise (e.g. NodeSource's, which bundles npm) counts as present.
    command -v node >/dev/null || PACKAGES+=(nodejs)
    command -v npm >/dev/null || PACKAGES+=(npm)
    ;;
  *) echo "usage: $0 [--build-only | --runtime]" >&2; exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
