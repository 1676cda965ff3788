#!/usr/bin/env bash
# Makes a PKIoverheid-like TEST-ONLY PKI: root -> domain CA -> issuing CA, leaf certificates with
# the OIN in subject.serialNumber, CRLs for every CA, and the bad cases the tests need.
# NEVER use these certificates or keys outside tests and demos.
#
# Usage: make-pki.sh [OUTDIR] [--force]      (default OUTDIR: certs-example/out next to this script)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=""
FORCE=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    *) OUT="$a" ;;
  esac
done
OUT=$(realpath -m "${OUT:-$HERE/out}")
# ca-db/, g4/ and ocsp/ came later: a PKI made before them is made again.
if [ -f "$OUT/.complete" ] && [ -d "$OUT/ca-db" ] && [ -d "$OUT/g4" ] && [ -f "$OUT/ocsp/good.resp.der" ] && [ $FORCE -eq 0 ]; then
  echo "PKI already present in $OUT"
  exit 0
fi
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d "$(dirname "$OUT")/.pki-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
mkdir -p ca crl db

CRL_BASE="http://127.0.0.1:8099/crl"
# The OCSP responder of the issuing CA (ocsp/, `openssl ocsp`), named in the AIA of the ocsp-*
# leaves only: the certificates made before OCSP came have no AIA and stay as they were.
OCSP_URL="http://127.0.0.1:8098/"

# One openssl-ca database per CA.
ca_init() {  # name
  mkdir -p "db/$1"
  : > "db/$1/index.txt"
  echo 1000 > "db/$1/serial"
  echo 1000 > "db/$1/crlnumber"
  cat > "db/$1/ca.cnf" <<CNF
[ ca ]
default_ca = this
[ this ]
dir = $WORK/db/$1
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir
certificate = $WORK/ca/$1.cert.pem
private_key = $WORK/ca/$1.key.pem
default_md = sha256
default_days = 825
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
[ v3_sub_ca ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_issuing_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_leaf_serveronly ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_leaf_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
authorityInfoAccess = OCSP;URI:$OCSP_URL
[ v3_ocsp_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
}

q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }; }

self_signed_root() {  # name CN
  q openssl req -x509 -new -newkey rsa:3072 -nodes -keyout "ca/$1.key.pem" -out "ca/$1.cert.pem" -days 3650 -sha256 \
    -subj "/C=NL/O=edugate TEST ONLY/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
  ca_init "$1"
}

sub_ca() {  # name parent CN extension
  q openssl req -new -newkey rsa:3072 -nodes -keyout "ca/$1.key.pem" -out "ca/$1.csr" -subj "/C=NL/O=edugate TEST ONLY/CN=$3"
  q openssl ca -batch -config "db/$2/ca.cnf" -in "ca/$1.csr" -out "ca/$1.cert.pem" -extensions "$4" -days 3000 -notext
  ca_init "$1"
}

leaf() {  # stem issuer subject [extension] [startdate enddate]   (LEAF_KEY: the -newkey argument)
  local stem=$1 issuer=$2 subj=$3 ext=${4:-v3_leaf}
  q openssl req -new -newkey "${LEAF_KEY:-rsa:2048}" -nodes -keyout "$stem.key.pem" -out "$stem.csr" -subj "$subj"
  if [ $# -ge 6 ]; then
    q openssl ca -batch -config "db/$issuer/ca.cnf" -in "$stem.csr" -out "$stem.cert.pem" -extensions "$ext" \
      -startdate "$5" -enddate "$6" -notext
  else
    q openssl ca -batch -config "db/$issuer/ca.cnf" -in "$stem.csr" -out "$stem.cert.pem" -extensions "$ext" -days 825 -notext
  fi
  chmod 600 "$stem.key.pem"
  rm -f "$stem.csr"
  case "$issuer" in
    issuing) cat "$stem.cert.pem" ca/issuing.cert.pem ca/domain.cert.pem > "$stem.chain.pem" ;;
    stale) cat "$stem.cert.pem" ca/stale.cert.pem ca/domain.cert.pem > "$stem.chain.pem" ;;
    org) cat "$stem.cert.pem" ca/org.cert.pem ca/domain.cert.pem > "$stem.chain.pem" ;;
    *) cat "$stem.cert.pem" "ca/$issuer.cert.pem" > "$stem.chain.pem" ;;
  esac
}

gencrl() {  # ca [lastupdate nextupdate]
  if [ $# -ge 3 ]; then
    q openssl ca -batch -config "db/$1/ca.cnf" -gencrl -out "crl/$1.crl.pem" -crl_lastupdate "$2" -crl_nextupdate "$3"
  else
    q openssl ca -batch -config "db/$1/ca.cnf" -gencrl -out "crl/$1.crl.pem"
  fi
  q openssl crl -in "crl/$1.crl.pem" -outform DER -out "crl/$1.crl"
}

ORG="/C=NL/O=edugate TEST ONLY"
self_signed_root root "edugate TEST Private Root CA - G1"
sub_ca domain root "edugate TEST Private Services CA - G1" v3_sub_ca
sub_ca issuing domain "edugate TEST PKIoverheid Services Issuing CA" v3_issuing_ca
sub_ca stale domain "edugate TEST Stale Issuing CA" v3_issuing_ca
self_signed_root untrusted-root "edugate TEST Untrusted Root"

leaf sbb issuing "/C=NL/O=SBB TEST/CN=sbb.edugate.test/serialNumber=00000003273785290000"
leaf school-25be issuing "/C=NL/O=ROC TEST Twente/CN=roc-twente.edugate.test/serialNumber=0000000700025BE00000"
leaf school-30gr issuing "/C=NL/O=ROC TEST Groningen/CN=roc-groningen.edugate.test/serialNumber=0000000700030GR00000"
leaf school-21ca issuing "/C=NL/O=ROC TEST Amsterdam/CN=roc-amsterdam.edugate.test/serialNumber=0000000700021CA00000"
leaf vendor issuing "/C=NL/O=SIS Vendor TEST BV/CN=sis-vendor.edugate.test/serialNumber=00000003123456780000"
leaf revoked issuing "/C=NL/O=Revoked TEST/CN=revoked.edugate.test/serialNumber=0000000700031ZZ00000"
leaf expired issuing "/C=NL/O=Expired TEST/CN=expired.edugate.test/serialNumber=0000000700032YY00000" v3_leaf \
  20200101000000Z 20210101000000Z
leaf notyetvalid issuing "/C=NL/O=Not Yet Valid TEST/CN=notyetvalid.edugate.test/serialNumber=0000000700033XX00000" v3_leaf \
  20990101000000Z 20991231000000Z
leaf nooin issuing "/C=NL/O=No OIN TEST/CN=nooin.edugate.test"
leaf wrongusage issuing "/C=NL/O=Wrong Usage TEST/CN=wrongusage.edugate.test/serialNumber=0000000700034WW00000" v3_leaf_serveronly
leaf untrusted untrusted-root "/C=NL/O=Untrusted TEST/CN=untrusted.edugate.test/serialNumber=0000000700035VV00000"
# The same school with an ECDSA P-256 key (WS-Security ecdsa-sha256 signatures).
q openssl ecparam -name prime256v1 -out ec-p256.param
LEAF_KEY=ec:ec-p256.param leaf school-25be-ec issuing \
  "/C=NL/O=ROC TEST Twente/CN=roc-twente-ec.edugate.test/serialNumber=0000000700025BE00000"
rm -f ec-p256.param
leaf stalecrl stale "/C=NL/O=Stale CRL TEST/CN=stalecrl.edugate.test/serialNumber=0000000700036UU00000"

q openssl ca -batch -config db/issuing/ca.cnf -revoke revoked.cert.pem -crl_reason keyCompromise
for c in root domain issuing untrusted-root; do gencrl $c; done
# The stale CA's CRL was due for renewal long ago: its certificates must be refused (fail closed).
gencrl stale 20240101000000Z 20240201000000Z

# OCSP (issue 16 point 8), made after every certificate and CRL above so that none of them
# changes: the issuing CA's responder signs with its own delegated certificate (OCSPSigning,
# id-pkix-ocsp-nocheck). ocsp-revoked is revoked after the issuing CA's CRL was made, as happens
# between two CRLs: the CRL still passes it, OCSP knows. ocsp-unknown is left out of the
# responder's index, so the responder answers "unknown". sbb-ocsp is the provider's certificate
# with an AIA, for stapling.
leaf ocsp-good issuing "/C=NL/O=OCSP Good TEST/CN=ocsp-good.edugate.test/serialNumber=0000000700040AA00000" v3_leaf_ocsp
leaf ocsp-revoked issuing "/C=NL/O=OCSP Revoked TEST/CN=ocsp-revoked.edugate.test/serialNumber=0000000700041AB00000" v3_leaf_ocsp
leaf ocsp-unknown issuing "/C=NL/O=OCSP Unknown TEST/CN=ocsp-unknown.edugate.test/serialNumber=0000000700042AC00000" v3_leaf_ocsp
leaf sbb-ocsp issuing "/C=NL/O=SBB TEST/CN=sbb.edugate.test/serialNumber=00000003273785290000" v3_leaf_ocsp
mkdir ocsp
q openssl req -new -newkey rsa:2048 -nodes -keyout ocsp/signer.key.pem -out ocsp/signer.csr \
  -subj "/C=NL/O=edugate TEST ONLY/CN=edugate TEST PKIoverheid Services Issuing CA OCSP Responder"
q openssl ca -batch -config db/issuing/ca.cnf -in ocsp/signer.csr -out ocsp/signer.cert.pem -extensions v3_ocsp_signer \
  -days 825 -notext
chmod 600 ocsp/signer.key.pem
rm -f ocsp/signer.csr
q openssl ca -batch -config db/issuing/ca.cnf -revoke ocsp-revoked.cert.pem -crl_reason keyCompromise
cp ca/issuing.cert.pem ocsp/issuing.cert.pem
unknown_serial=$(openssl x509 -in ocsp-unknown.cert.pem -noout -serial | cut -d= -f2)
grep -v -P "\t$unknown_serial\t" db/issuing/index.txt > ocsp/index.txt
echo "unique_subject = no" > ocsp/index.txt.attr  # sbb-ocsp shares its subject with sbb
# The responder's answers about the three, made offline (valid ten years): seeds of fuzz_ocsp_answer.
for c in good revoked unknown; do
  q openssl ocsp -issuer ca/issuing.cert.pem -cert "ocsp-$c.cert.pem" -no_nonce -reqout "ocsp/$c.req.der"
  q openssl ocsp -index ocsp/index.txt -CA ocsp/issuing.cert.pem -rsigner ocsp/signer.cert.pem -rkey ocsp/signer.key.pem \
    -reqin "ocsp/$c.req.der" -respout "ocsp/$c.resp.der" -ndays 3650
  rm -f "ocsp/$c.req.der"
done
# A second issuing CA whose CRL the example configurations do not list (not in crls.pem nor
# intermediates.pem): a peer it issued is known only by the chain it sends, so its CRL is found
# only by following the distribution point in that chain.
sub_ca org domain "edugate TEST PKIoverheid Organisatie Issuing CA" v3_issuing_ca
leaf cdp-peer org "/C=NL/O=CDP Peer TEST/CN=cdp-peer.edugate.test/serialNumber=0000000700043AD00000"
gencrl org

cat ca/root.cert.pem > trust.pem
cat ca/domain.cert.pem ca/issuing.cert.pem ca/stale.cert.pem > intermediates.pem
cat crl/root.crl.pem crl/domain.crl.pem crl/issuing.crl.pem crl/stale.crl.pem > crls.pem
rm -f ca/*.csr
rm -f ca/*.key.pem.tmp
cat > oins.txt <<OINS
sbb 00000003273785290000
school-25be 0000000700025BE00000
school-25be-ec 0000000700025BE00000
school-30gr 0000000700030GR00000
school-21ca 0000000700021CA00000
vendor 00000003123456780000
revoked 0000000700031ZZ00000
expired 0000000700032YY00000
notyetvalid 0000000700033XX00000
wrongusage 0000000700034WW00000
untrusted 0000000700035VV00000
stalecrl 0000000700036UU00000
OINS

# Check what the tests rely on.
verify() {  # stem expect(ok|fail) [extra args]
  local stem=$1 expect=$2; shift 2
  if openssl verify -crl_check_all -CAfile trust.pem -untrusted intermediates.pem -CRLfile crls.pem "$@" \
       "$stem.cert.pem" >/dev/null 2>&1; then got=ok; else got=fail; fi
  if [ "$got" != "$expect" ]; then echo "make-pki: $stem: expected $expect, got $got" >&2; exit 1; fi
}
for s in sbb school-25be school-25be-ec school-30gr school-21ca vendor wrongusage; do verify $s ok; done
for s in revoked expired notyetvalid stalecrl untrusted; do verify $s fail; done
for s in ocsp-good ocsp-revoked ocsp-unknown sbb-ocsp; do verify $s ok; done  # by CRL; OCSP tells them apart
verify cdp-peer fail  # its CA's CRL is not in crls.pem
if ! openssl verify -crl_check_all -CAfile trust.pem -untrusted intermediates.pem -untrusted ca/org.cert.pem \
     -CRLfile crls.pem -CRLfile crl/org.crl.pem cdp-peer.cert.pem >/dev/null 2>&1; then
  echo "make-pki: cdp-peer: expected ok with its CA's CRL" >&2; exit 1
fi
verify school-25be ok -purpose sslclient
verify wrongusage fail -purpose sslclient

# The CA databases, for tests that issue a newer CRL (revoke a certificate) with a copy of a CA.
mkdir ca-db
for c in root domain issuing stale untrusted-root org; do
  cp -r "db/$c" "ca-db/$c"
  sed -i -e "s#$WORK/db/#$OUT/ca-db/#g" -e "s#$WORK#$OUT#g" "ca-db/$c/ca.cnf"
done
# G4 generation ---------------------------------------------------------------------------------
# A second, separate hierarchy in the style of PKIoverheid G4: its own root (RSA 4096), every CA
# signature RSA-PSS (SHA-256, MGF1-SHA-256, salt 32), and one purpose per leaf certificate: TLS
# authentication apart from signing. Everything in g4/, nothing of the G3 files above changes.
mkdir -p g4
PSS_SIGOPT=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256)
g4_extensions() {  # ca: the G4 leaf profiles, appended to that CA's openssl-ca configuration
  cat >> "db/$1/ca.cnf" <<CNF
[ v3_g4_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_g4_tls ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
[ v3_g4_signing ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = 1.3.6.1.5.5.7.3.36
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$CRL_BASE/$1.crl
CNF
}
g4_key() {  # file rsa|rsa-pss|ec
  case $2 in
    rsa) q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1" ;;
    rsa-pss) q openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_pss_keygen_md:sha256 \
      -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32 -out "$1" ;;
    ec) q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
  esac
  chmod 600 "$1"
}
g4_ca() {  # name parent|- CN extension
  if [ "$2" = - ]; then
    q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "ca/$1.key.pem"
    q openssl req -x509 -new -key "ca/$1.key.pem" -out "ca/$1.cert.pem" -days 3650 -sha256 "${PSS_SIGOPT[@]}" \
      -subj "$ORG/CN=$3" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash"
  else
    g4_key "ca/$1.key.pem" rsa
    q openssl req -new -key "ca/$1.key.pem" -out "ca/$1.csr" -subj "$ORG/CN=$3"
    q openssl ca -batch -config "db/$2/ca.cnf" -in "ca/$1.csr" -out "ca/$1.cert.pem" -extensions "$4" -days 3000 -notext \
      "${PSS_SIGOPT[@]}"
  fi
  ca_init "$1"
  g4_extensions "$1"
}
g4_leaf() {  # stem subject extension rsa|rsa-pss|ec: issued by the G4 issuing CA, chain = leaf + issuing + domain
  g4_key "g4/$1.key.pem" "$4"
  q openssl req -new -key "g4/$1.key.pem" -out "g4/$1.csr" -subj "$2"
  q openssl ca -batch -config db/g4-issuing/ca.cnf -in "g4/$1.csr" -out "g4/$1.cert.pem" -extensions "$3" -days 825 \
    -notext "${PSS_SIGOPT[@]}"
  rm -f "g4/$1.csr"
  cat "g4/$1.cert.pem" ca/g4-issuing.cert.pem ca/g4-domain.cert.pem > "g4/$1.chain.pem"
}
g4_gencrl() {  # ca
  q openssl ca -batch -config "db/$1/ca.cnf" -gencrl -out "crl/$1.crl.pem" "${PSS_SIGOPT[@]}"
  q openssl crl -in "crl/$1.crl.pem" -outform DER -out "crl/$1.crl"
}
g4_ca g4-root - "edugate TEST PKIoverheid Root CA - G4"
g4_ca g4-domain g4-root "edugate TEST PKIoverheid Organisatie Services CA - G4" v3_sub_ca
g4_ca g4-issuing g4-domain "edugate TEST PKIoverheid Organisatie Services Issuing CA - G4" v3_issuing_ca
# The provider: a TLS certificate (both ends of mutual TLS) and a signing certificate (rsaEncryption key).
g4_leaf sbb-tls "/C=NL/O=SBB TEST/CN=sbb.edugate.test/serialNumber=00000003273785290000" v3_g4_tls rsa
g4_leaf sbb-sign "/C=NL/O=SBB TEST/CN=sbb.edugate.test/serialNumber=00000003273785290000" v3_g4_signing rsa
# A school whose OIN is built from its KvK number (00000003 + 41234567 + 0000): authentication, and
# signing with an RSA-PSS (id-RSASSA-PSS) key, and with an ECDSA P-256 key.
g4_leaf school-kvk-auth "/C=NL/O=ROC TEST Zeeland/CN=roc-zeeland.edugate.test/serialNumber=00000003412345670000" \
  v3_g4_client rsa
g4_leaf school-kvk-sign "/C=NL/O=ROC TEST Zeeland/CN=roc-zeeland.edugate.test/serialNumber=00000003412345670000" \
  v3_g4_signing rsa-pss
g4_leaf school-kvk-ec-sign "/C=NL/O=ROC TEST Zeeland/CN=roc-zeeland.edugate.test/serialNumber=00000003412345670000" \
  v3_g4_signing ec
# A G3 school moving to G4: the same OIN, a G4 authentication certificate.
g4_leaf school-30gr-auth "/C=NL/O=ROC TEST Groningen/CN=roc-groningen.edugate.test/serialNumber=0000000700030GR00000" \
  v3_g4_client rsa
for c in g4-root g4-domain g4-issuing; do g4_gencrl $c; done
cp ca/g4-root.cert.pem g4/trust.pem
cat ca/g4-domain.cert.pem ca/g4-issuing.cert.pem > g4/intermediates.pem
cat crl/g4-root.crl.pem crl/g4-domain.crl.pem crl/g4-issuing.crl.pem > g4/crls.pem
# During a migration both generations are trusted at once: one anchors file, one CRL file (the
# CRLs in force of both; not the stale CA's, so that /readyz is green with it).
cat trust.pem g4/trust.pem > g4/trust-g3-and-g4.pem
cat crl/root.crl.pem crl/domain.crl.pem crl/issuing.crl.pem g4/crls.pem > g4/crls-g3-and-g4.pem
cat > g4/oins.txt <<OINS
g4/sbb-tls 00000003273785290000
g4/sbb-sign 00000003273785290000
g4/school-kvk-auth 00000003412345670000
g4/school-kvk-sign 00000003412345670000
g4/school-kvk-ec-sign 00000003412345670000
g4/school-30gr-auth 0000000700030GR00000
OINS
g4_verify() {  # stem purpose: against G4 alone and against both generations, CRLs checked, X.509 strict
  openssl verify -x509_strict -crl_check_all -CAfile g4/trust.pem -untrusted g4/intermediates.pem -CRLfile g4/crls.pem \
    ${2:+-purpose "$2"} "g4/$1.cert.pem" >/dev/null 2>&1 || { echo "make-pki: g4/$1: does not verify" >&2; exit 1; }
  openssl verify -x509_strict -crl_check_all -CAfile g4/trust-g3-and-g4.pem -untrusted g4/intermediates.pem \
    -CRLfile g4/crls-g3-and-g4.pem "g4/$1.cert.pem" >/dev/null 2>&1 || { echo "make-pki: g4/$1: not with G3" >&2; exit 1; }
}
g4_verify sbb-tls sslserver
g4_verify sbb-tls sslclient
g4_verify school-kvk-auth sslclient
for s in sbb-sign school-kvk-sign school-kvk-ec-sign school-30gr-auth; do g4_verify $s; done
if openssl verify -crl_check_all -CAfile trust.pem -untrusted g4/intermediates.pem -CRLfile crls.pem \
     g4/school-kvk-auth.cert.pem >/dev/null 2>&1; then
  echo "make-pki: a G4 certificate verifies under G3 trust alone" >&2; exit 1
fi
for c in g4-root g4-domain g4-issuing; do
  cp -r "db/$c" "ca-db/$c"
  sed -i -e "s#$WORK/db/#$OUT/ca-db/#g" -e "s#$WORK#$OUT#g" "ca-db/$c/ca.cnf"
done
# end of the G4 generation -----------------------------------------------------------------------
rm -rf db
touch .complete
cd - >/dev/null
rm -rf "$OUT"
mv "$WORK" "$OUT"
trap - EXIT
printf '%-12s %-22s %s\n' "certificate" "OIN" "case"
while read -r stem oin; do
  case $stem in
    revoked|expired|notyetvalid|wrongusage|untrusted|stalecrl) kind="bad: $stem" ;;
    *) kind="good" ;;
  esac
  printf '%-12s %-22s %s\n' "$stem" "$oin" "$kind"
done < "$OUT/oins.txt"
printf '%-12s %-22s %s\n' "nooin" "-" "bad: no OIN"
echo "TEST-ONLY PKI written to $OUT"
