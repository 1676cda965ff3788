#!/usr/bin/env bash
# deploy/systemd/edugate.service: `systemd-analyze verify` (with ExecStart pointing at the built
# binary, which must exist for verify) and the sandbox's exposure score (at most 3.0 of 10;
# the threshold option counts in tenths). Skipped (77) without
# systemd-analyze.
set -euo pipefail
unit=$1 binary=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s#/usr/local/bin/edugate#$binary#g" "$unit" > "$dir/edugate.service"
systemd-analyze verify --man=no "$dir/edugate.service"
systemd-analyze security --offline=yes --threshold=30 "$dir/edugate.service" | tail -1
