#!/usr/bin/env bash
# Installs the Debian 12 packages edugate needs to build, test and run. Idempotent: installs
# only what is missing, so a second run costs a dpkg query.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  gsoap libgsoap-dev
  libboost-dev libssl-dev openssl
  libxml2-dev libxml2-utils libxmlsec1-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql-15 haproxy
  libgtest-dev libgmock-dev
  python3 python3-zeep python3-requests
  procps testssl.sh
  xmlsec1 python3-xmlsec python3-lxml
  libcairo2-dev libjpeg62-turbo-dev fonts-dejavu-core poppler-utils
)

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
