#!/usr/bin/env bash
# edugate quickstart: installs what is missing, builds, makes the example (TEST ONLY) PKI,
# onboards a demo school and a SIS vendor, starts the provider on loopback with the embedded
# SQLite store and demo data, and shows real mutual-TLS exchanges. Then keeps the provider
# running until Ctrl-C (set EDUGATE_QUICKSTART_EXIT=1 to stop after the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/5 dependencies"
./deploy/install-deps.sh

step "2/5 build"
./deploy/build.sh >/tmp/edugate-quickstart-build.log 2>&1 || { tail -50 /tmp/edugate-quickstart-build.log; exit 1; }
EDUGATE="$ROOT/${EDUGATE_BUILD_DIR:-build}/gateway/edugate"
echo "built $EDUGATE"

step "3/5 example PKI (TEST ONLY: never use these certificates in production)"
certs-example/make-pki.sh certs-example/out

PROVIDER_CFG=deploy/config/quickstart-provider.yaml
SCHOOL_CFG=deploy/config/quickstart-school.yaml
VENDOR_CFG=deploy/config/quickstart-vendor.yaml
STATE=var/quickstart
mkdir -p "$STATE"

# A provider left over from an earlier run is stopped first, so a second run just works.
if [ -f "$STATE/provider.pid" ] && kill -0 "$(cat "$STATE/provider.pid")" 2>/dev/null; then
  kill "$(cat "$STATE/provider.pid")" && sleep 1
fi

step "4/5 onboarding: school 25BE and a SIS vendor with a mandate for it"
PKI=certs-example/out
"$EDUGATE" onboard --config "$PROVIDER_CFG" party --cert $PKI/school-25be.cert.pem --name "ROC TEST Twente" --kind school
"$EDUGATE" onboard --config "$PROVIDER_CFG" agreement --cert $PKI/school-25be.cert.pem --service leerbedrijf
"$EDUGATE" onboard --config "$PROVIDER_CFG" party --cert $PKI/vendor.cert.pem --name "SIS Vendor TEST BV" --kind vendor
"$EDUGATE" onboard --config "$PROVIDER_CFG" mandate --vendor 00000003123456780000 --school 0000000700025BE00000 --service leerbedrijf

step "5/5 provider on https://127.0.0.1:8443 (mutual TLS, SBB OIN 00000003273785290000)"
rm -f "$STATE/port"
"$EDUGATE" serve --config "$PROVIDER_CFG" --port-file "$STATE/port" 2>"$STATE/provider.log" &
PROVIDER_PID=$!
echo "$PROVIDER_PID" > "$STATE/provider.pid"
trap 'kill $PROVIDER_PID 2>/dev/null; wait $PROVIDER_PID 2>/dev/null; echo; echo "provider stopped"' EXIT
for _ in $(seq 1 100); do [ -s "$STATE/port" ] && break; sleep 0.1; done
[ -s "$STATE/port" ] || { cat "$STATE/provider.log"; exit 1; }

send() {  # config action json-file title
  printf '\n\033[1m-- %s\033[0m\n$ edugate send --config %s --action %s --json %s\n' "$4" "$1" "$2" "$3"
  "$EDUGATE" send --config "$1" --service leerbedrijf --action "$2" --json "$3" || true
}
EX=deploy/examples
send $SCHOOL_CFG VerifieerErkenning $EX/verifieer-erkenning.json "the school checks an erkenning before it registers a bpvo"
send $SCHOOL_CFG IdentificeerLeerbedrijf $EX/identificeer-kvk.json "the school identifies a leerbedrijf by KvK-nummer"
send $SCHOOL_CFG ZoekLeerbedrijven $EX/zoek.json "the school searches leerbedrijven near a place"
send $SCHOOL_CFG VerifieerErkenning $EX/verifieer-fout.json "a malformed request gets Meldingen naming each field (not a fault)"
send $VENDOR_CFG VerifieerErkenning $EX/verifieer-erkenning.json "a SIS vendor asks on behalf of school 25BE (mandate)"
send $SCHOOL_CFG VoordragenErkenning $EX/voordracht.json "the school proposes a company for erkenning (a write: durable before answered)"
send $SCHOOL_CFG HaalMutatiesOp $EX/mutaties.json "the school pulls erkenning mutations since sequence number 0"

cat <<INFO

The provider keeps running on https://127.0.0.1:8443 (log: $STATE/provider.log, JSON lines).
Try your own requests, e.g.:
  $EDUGATE send --config $SCHOOL_CFG --action GeefLeerbedrijfDetails --json $EX/details.json
INFO
if [ "${EDUGATE_QUICKSTART_EXIT:-0}" = "1" ]; then exit 0; fi
echo "Press Ctrl-C to stop."
wait $PROVIDER_PID
