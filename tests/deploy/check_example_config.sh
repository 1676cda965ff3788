#!/bin/sh
# `edugate config check` of the shipped example configuration, its certificate paths pointed at
# the test PKI (the example names certs-example/out, which only the quickstart makes): the check
# reads the chains and CRLs (every configured CA needs a CRL in force).
#   check_example_config.sh EDUGATE EXAMPLE_YAML PKI_DIR
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#\.\./\.\./certs-example/out#$3#g" "$2" > "$tmp/edugate.example.yaml"
exec "$1" config check "$tmp/edugate.example.yaml"
