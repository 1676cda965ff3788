#!/usr/bin/env bash
# deploy/haproxy/haproxy.cfg with HAProxy's own parser. Skipped (77) without haproxy.
set -euo pipefail
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { echo "haproxy missing: skipped"; exit 77; }
PATH=$PATH:/usr/sbin haproxy -c -f "$1"
