#!/usr/bin/env bash
# Installs the OpenAPI validator's dependencies exactly as package-lock.json pins them (npm ci,
# from the npm registry; no install scripts). Offline-safe: when node_modules/ already holds
# every package at its locked version, nothing is fetched and npm is not run.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "openapi validator: node is not installed (deploy/install-deps.sh installs nodejs)" >&2; exit 1; }
if [ -f node_modules/.package-lock.json ] && node -e '
  const want = require("./package-lock.json").packages, have = require("./node_modules/.package-lock.json").packages;
  for (const [k, v] of Object.entries(want)) if (k && (!have[k] || have[k].version !== v.version)) process.exit(1);
  require("@apidevtools/swagger-parser");' 2>/dev/null; then
  echo "openapi validator: node_modules matches package-lock.json"
  exit 0
fi
command -v npm >/dev/null || { echo "openapi validator: npm is not installed (deploy/install-deps.sh installs it)" >&2; exit 1; }
npm ci --no-audit --no-fund --ignore-scripts
