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
EDUGATE="$ROOT/${EDUGATE_BUILD_DIR:-build}/app/edugate"
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

if [ -f "$STATE/school.pid" ] && kill -0 "$(cat "$STATE/school.pid")" 2>/dev/null; then
  kill "$(cat "$STATE/school.pid")" && sleep 1
fi

step "4/5 onboarding: school 25BE (with its gateway's endpoint) and a SIS vendor with a mandate for it"
PKI=certs-example/out
"$EDUGATE" onboard --config "$PROVIDER_CFG" party --cert $PKI/school-25be.cert.pem --name "ROC TEST Twente" --kind school \
  --endpoint https://127.0.0.1:8444
for service in leerbedrijf bpvmonitor bpvmonitor-studentgegevens leerbedrijf-mutaties praktijkloket; do
  "$EDUGATE" onboard --config "$PROVIDER_CFG" agreement --cert $PKI/school-25be.cert.pem --service $service
done
"$EDUGATE" onboard --config "$PROVIDER_CFG" party --cert $PKI/vendor.cert.pem --name "SIS Vendor TEST BV" --kind vendor
"$EDUGATE" onboard --config "$PROVIDER_CFG" mandate --vendor 00000003123456780000 --school 0000000700025BE00000 --service leerbedrijf

step "5/5 provider (SBB) on https://127.0.0.1:8443 and the school's gateway on https://127.0.0.1:8444 (internal: http://127.0.0.1:8480)"
rm -f "$STATE/port"
"$EDUGATE" serve --config "$PROVIDER_CFG" --port-file "$STATE/port" 2>"$STATE/provider.log" &
PROVIDER_PID=$!
echo "$PROVIDER_PID" > "$STATE/provider.pid"
rm -f "$STATE/school-port"
"$EDUGATE" serve --config "$SCHOOL_CFG" --port-file "$STATE/school-port" 2>"$STATE/school.log" &
SCHOOL_PID=$!
echo "$SCHOOL_PID" > "$STATE/school.pid"
trap 'kill $PROVIDER_PID $SCHOOL_PID 2>/dev/null; wait $PROVIDER_PID $SCHOOL_PID 2>/dev/null; echo; echo "provider and school gateway stopped"' EXIT
for _ in $(seq 1 100); do [ -s "$STATE/port" ] && [ -s "$STATE/school-port" ] && break; sleep 0.1; done
[ -s "$STATE/port" ] || { cat "$STATE/provider.log"; exit 1; }
[ -s "$STATE/school-port" ] || { cat "$STATE/school.log"; exit 1; }

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

printf '\n\033[1m== the JSON bridge: the SIS checks an erkenning with one curl, through the school'"'"'s gateway and SBB\033[0m\n'
BRIDGE=http://127.0.0.1:8480
cat <<'CMD'
$ curl -sS http://127.0.0.1:8480/v1/leerbedrijf/VerifieerErkenning \
    -H 'Content-Type: application/json' -H 'Idempotency-Key: quickstart-erkenning-1' \
    -d '{"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BOL"}'
CMD
curl -sS -w '(HTTP %{http_code})\n' "$BRIDGE/v1/leerbedrijf/VerifieerErkenning" \
  -H 'Content-Type: application/json' -H 'Idempotency-Key: quickstart-erkenning-1' \
  -d '{"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BOL"}' || true
echo "a business error comes back as application/problem+json with the Meldingen:"
curl -sS -w '(HTTP %{http_code})\n' "$BRIDGE/v1/leerbedrijf/VerifieerErkenning" \
  -H 'Content-Type: application/json' -d @$EX/verifieer-fout.json || true
echo "every operation is described in $BRIDGE/v1/openapi.json (OpenAPI 3, generated from wsdl/)"

printf '\n\033[1m== school -> SBB: the SIS drops student data into the inbox (BPV Monitor)\033[0m\n'
INBOX=var/quickstart/school-inbox
mkdir -p "$INBOX"
END=$(date -d "+60 days" +%F); SOON=$(date -d "+10 days" +%F)
FILE=studentgegevens-$(date +%H%M%S).csv
cat > "$INBOX/.$FILE.tmp" <<CSV
BpvoKenmerk;Brin;RioOnderwijsaanbiedercode;RioLocatiecode;Opleidingscode;Leerweg;LeerbedrijfID;Einddatum;StudentVoornaam;StudentAchternaam;StudentEmail
Q$(date +%s)1;25BE;123A456;123X001;25180;BOL;100000001;$END;Demo;Student Een;een@school.example
Q$(date +%s)2;25BE;123A456;123X001;25180;BBL;100000001;$SOON;Demo;Student Twee;twee@school.example
Q$(date +%s)3;25BE;123A456;123X001;25180;BOL;999999998;$END;Demo;Student Drie;drie@school.example
CSV
mv "$INBOX/.$FILE.tmp" "$INBOX/$FILE"
echo "dropped $INBOX/$FILE (3 records: one fine, one ending within three weeks, one with an unknown LeerbedrijfID)"
for _ in $(seq 1 50); do [ -f "$INBOX/done/$FILE.antwoord.json" ] || [ -f "$INBOX/error/$FILE.fout.json" ] && break; sleep 0.2; done
cat "$INBOX/done/$FILE.antwoord.json" 2>/dev/null || cat "$INBOX/error/$FILE.fout.json"

printf '\n\033[1m== school -> SBB: the Praktijkloket (deelnemer, begeleidingsdocument, praktijkverklaring, PDF)\033[0m\n'
PLQ="$STATE/praktijkloket"
mkdir -p "$PLQ"
pl() {  # action json-text title [pdf-file]: sends, prints the answer, keeps it in $PLQ/last.json
  printf '%s\n' "$2" > "$PLQ/$1.json"
  printf '\n\033[1m-- %s\033[0m\n$ edugate send --config %s --service praktijkloket --action %s --json %s%s\n' \
    "$3" "$SCHOOL_CFG" "$1" "$PLQ/$1.json" "${4:+ --save-pdf $4}"
  "$EDUGATE" send --config "$SCHOOL_CFG" --service praktijkloket --action "$1" --json "$PLQ/$1.json" ${4:+--save-pdf "$4"} \
    > "$PLQ/last.json" || true
  head -40 "$PLQ/last.json"
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["body"]
for k in sys.argv[2:]: d=d[k]
print(d)' "$PLQ/last.json" "$@"; }
STAMP=$(date +%H%M%S)
pl VoegDeelnemerToe "{\"Deelnemer\": {\"Voornaam\": \"Demi\", \"Achternaam\": \"Demo-$STAMP\", \"Geboortedatum\": \"2006-05-17\", \"Onderwijsvorm\": \"mbo\"}}" \
  "the SIS adds a deelnemer"
DEELNEMER=$(field DeelnemerID)
pl MaakBegeleidingsdocument "{\"Begeleidingsdocument\": {\"DeelnemerID\": \"$DEELNEMER\", \"LeerbedrijfID\": \"100000001\", \"PraktijkopleiderID\": \"100000001-PO1\", \"Begindatum\": \"2026-09-01\", \"Einddatum\": \"2027-06-30\", \"Kwalificatie\": [{\"Crebo\": \"25180\", \"Werkproces\": [{\"Code\": \"B1-K1-W1\", \"ToonGedrag\": true}, {\"Code\": \"B1-K1-W2\"}]}]}}" \
  "a begeleidingsdocument for that deelnemer at leerbedrijf 100000001 (concept)"
DOCUMENT=$(field Begeleidingsdocument DocumentID)
pl RondBegeleidingsdocumentAf "{\"DocumentID\": \"$DOCUMENT\"}" "afronden: from now on the document cannot change"
pl MaakPraktijkverklaring "{\"Praktijkverklaring\": {\"DeelnemerID\": \"$DEELNEMER\", \"LeerbedrijfID\": \"100000001\", \"PraktijkopleiderID\": \"100000001-PO1\", \"Onderwijsvorm\": \"mbo\", \"Begindatum\": \"2026-09-01\", \"Einddatum\": \"2027-06-30\", \"BpvUren\": \"640\", \"BegeleidingsdocumentID\": \"$DOCUMENT\", \"Branchelogo\": [\"techniek\"]}}" \
  "a praktijkverklaring with the document's werkprocessen (concept)"
VERKLARING=$(field Praktijkverklaring VerklaringID)
pl MaakPraktijkverklaringDefinitief "{\"VerklaringID\": \"$VERKLARING\"}" "definitief (the leerbedrijf is erkend)"
PDF=var/quickstart/praktijkverklaring-$VERKLARING.pdf
pl GeefPraktijkverklaring "{\"VerklaringID\": \"$VERKLARING\", \"MetPdf\": true}" "the definitieve praktijkverklaring as PDF" "$PDF"
echo "the praktijkverklaring is in $PDF"

printf '\n\033[1m== SBB -> school: publish the BPV Monitor results of 2026-K3 (outbox push)\033[0m\n'
RECEIVED=var/quickstart/school-ontvangen
count_csv() { { find "$RECEIVED/$1" -name '*.csv' 2>/dev/null || true; } | wc -l; }  # no directory yet: 0
wait_for_new() {  # kind count-before: waits for a new file, prints the newest
  for _ in $(seq 1 50); do [ "$(count_csv "$1")" -gt "$2" ] && break; sleep 0.2; done
  ls -t "$RECEIVED/$1"/*.csv 2>/dev/null | head -1
}
BEFORE=$(count_csv monitorresultaten)
"$EDUGATE" publish-results --config "$PROVIDER_CFG" --period 2026-K3
LATEST=$(wait_for_new monitorresultaten "$BEFORE")
echo "the school's gateway wrote $LATEST:"
head -8 "$LATEST"

printf '\n\033[1m== SBB -> school: SBB records an erkenning mutation; it is pushed to the school\033[0m\n'
BEFORE=$(count_csv erkenningmutaties)
sqlite3 -cmd ".timeout 5000" var/quickstart/sbb-leerbedrijf.db \
  "INSERT INTO mutaties (soort, tijdstip, leerbedrijf_id, crebo, leerweg, begindatum) VALUES ('ErkenningVerleend', strftime('%s','now'), '100000001', '25410', 'BBL', date('now'));"
MUT=$(wait_for_new erkenningmutaties "$BEFORE")
[ -n "$MUT" ] && { echo "the school's gateway wrote $MUT:"; cat "$MUT"; }
"$EDUGATE" outbox --config "$PROVIDER_CFG" list --state sent --limit 3 | head -30

cat <<INFO

The provider keeps running on https://127.0.0.1:8443 (log: $STATE/provider.log, JSON lines),
the school's gateway on https://127.0.0.1:8444 (log: $STATE/school.log; received files in
$RECEIVED, inbox $INBOX), with its internal listener for the SIS on http://127.0.0.1:8480
(JSON bridge: POST /v1/{service}/{operation}, GET /v1/openapi.json; SOAP relay: POST /relay).
Try your own requests, e.g.:
  $EDUGATE send --config $SCHOOL_CFG --action GeefLeerbedrijfDetails --json $EX/details.json
INFO
if [ "${EDUGATE_QUICKSTART_EXIT:-0}" = "1" ]; then exit 0; fi
echo "Press Ctrl-C to stop."
wait $PROVIDER_PID $SCHOOL_PID
