#!/usr/bin/env bash
# Smoke test of the benchmark peers (ctest bench_peers_smoke): starts each peer given, waits for
# its "listening" line, posts the VerifieerErkenning envelope edugate's clients send (with
# WS-Addressing headers) over mutual TLS with curl, and checks that the answer is a
# schema-valid VerifieerErkenningAntwoord with the erkenning's status from the demo table;
# also that a client without a certificate is refused. Checks that it runs, never how fast.
#
# Usage: smoke.sh --pki DIR [--gsoap BIN] [--node-soap DIR] [--data FILE]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PKI="" GSOAP="" NODE_SOAP="" DATA="$HERE/erkenningen.tsv"
while [ $# -gt 0 ]; do
  case "$1" in
    --pki) PKI=$2; shift 2 ;;
    --gsoap) GSOAP=$2; shift 2 ;;
    --node-soap) NODE_SOAP=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "smoke.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$PKI" ] || { echo "smoke.sh: --pki is required" >&2; exit 2; }
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
check() {  # name condition-exit-code [detail-file]
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1"; [ -n "${3:-}" ] && head -c 2000 "$3" && echo; fi
}

post() {  # port id crebo leerweg out [curl args...]
  local port=$1 id=$2 crebo=$3 leerweg=$4 out=$5; shift 5
  sed -e "s#<lb:LeerbedrijfID>100000001<#<lb:LeerbedrijfID>$id<#" -e "s#<lb:Crebo>25180<#<lb:Crebo>$crebo<#" \
      -e "s#<lb:Leerweg>BOL<#<lb:Leerweg>$leerweg<#" "$HERE/check/verifieer-request.xml" |
    curl -sS --max-time 10 --cacert "$PKI/trust.pem" "$@" \
      -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "urn:edugate:leerbedrijf:1:VerifieerErkenning"' \
      --data-binary @- -o "$out" "https://127.0.0.1:$port/edukoppeling/leerbedrijf"
}

smoke() {  # peer-name command...
  local name=$1; shift
  "$@" --key "$PKI/sbb.key.pem" --cert "$PKI/sbb.chain.pem" --ca "$PKI/trust.pem" --port 0 --data "$DATA" \
    > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PID=$!
  local port=""
  for _ in $(seq 1 150); do
    port=$(grep -o '"event":"listening".*"port":[0-9]*' "$WORK/$name.out" 2>/dev/null | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  check "$name: prints its port when listening" "$([ -n "$port" ]; echo $?)" "$WORK/$name.err"
  if [ -n "$port" ]; then
    local client=(--cert "$PKI/school-25be.chain.pem" --key "$PKI/school-25be.key.pem")
    post "$port" 100000001 25180 BOL "$WORK/erkend.xml" "${client[@]}"
    check "$name: 100000001/25180/BOL answers" $? "$WORK/$name.err"
    xmllint --noout --schema "$HERE/check/leerbedrijf-envelope.xsd" "$WORK/erkend.xml" 2>"$WORK/xmllint.err"
    check "$name: the answer is a schema-valid VerifieerErkenningAntwoord" $? "$WORK/xmllint.err"
    grep -q 'Erkend>true<.*SignaalCode>ERKEND<' "$WORK/erkend.xml"
    check "$name: 100000001/25180/BOL is erkend" $? "$WORK/erkend.xml"
    post "$port" 100000002 25180 BOL "$WORK/ingetrokken.xml" "${client[@]}"
    grep -q 'Erkend>false<.*SignaalCode>INGETROKKEN<' "$WORK/ingetrokken.xml"
    check "$name: 100000002/25180/BOL is ingetrokken" $? "$WORK/ingetrokken.xml"
    post "$port" 100000001 25180 BOL "$WORK/nocert.xml" 2>/dev/null
    check "$name: a client without a certificate is refused" "$([ $? -ne 0 ]; echo $?)"
  fi
  kill "$PID" 2>/dev/null
  wait "$PID" 2>/dev/null
  PID=""
}

[ -n "$GSOAP" ] && smoke gsoap "$GSOAP"
[ -n "$NODE_SOAP" ] && smoke node-soap node "$NODE_SOAP/server.js"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
