#!/usr/bin/env bash
# deploy/prometheus/edugate-alerts.yml with promtool (package prometheus). Skipped (77) without it.
set -euo pipefail
command -v promtool >/dev/null || { echo "promtool missing: skipped"; exit 77; }
promtool check rules "$1"
