#!/usr/bin/python3
"""RSA-PSS WS-Security across implementations (issue 16 point 9, PKIoverheid G4). python3-xmlsec
runs on libxmlsec1 1.2, which has no RSA-PSS; so this side is built by hand: lxml for the
envelope and exclusive c14n, hashlib for the digests, the openssl command line for RSASSA-PSS
(SHA-256, MGF1-SHA-256, salt 32; RFC 6931 sha256-rsa-MGF1). A G4 school (TLS with its
authentication certificate, signature with its RSA-PSS-only signing key) calls a provider on G4
that requires signatures: the request must be accepted, a tampered copy refused with EK0031, and
the provider's answer (signed with its own G4 signing certificate) must verify here: every
reference digest and the PSS SignatureValue over the canonical SignedInfo."""
import base64
import datetime
import hashlib
import os
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edukoppeling_zeep as ek  # noqa: E402

from lxml import etree  # noqa: E402
import requests  # noqa: E402

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
PSS_SHA256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
B64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
SCHOOL_OIN = "00000003412345670000"
LB = "urn:edugate:leerbedrijf:1"
PSS_OPTS = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"]


def c14n(el):
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def openssl(args, data):
    return subprocess.run(["openssl", *args], input=data, capture_output=True)


def signed_request(pki, work, url):
    env = etree.fromstring(f"""<soap:Envelope xmlns:soap="{ek.SOAP11}" xmlns:wsa="{ek.WSA}" xmlns:wsu="{WSU}">
<soap:Header><wsa:To>{url}?oin={ek.SBB_OIN}</wsa:To>
<wsa:From><wsa:Address>{ek.ANON}?oin={SCHOOL_OIN}</wsa:Address></wsa:From>
<wsa:Action>{LB}:VerifieerErkenning</wsa:Action><wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID></soap:Header>
<soap:Body><lb:VerifieerErkenningVerzoek xmlns:lb="{LB}"><lb:LeerbedrijfID>100000001</lb:LeerbedrijfID>
<lb:Crebo>25180</lb:Crebo><lb:Leerweg>BOL</lb:Leerweg></lb:VerifieerErkenningVerzoek></soap:Body></soap:Envelope>""")
    header = env.find(f"{{{ek.SOAP11}}}Header")
    sec = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    header.insert(0, sec)
    now = datetime.datetime.now(datetime.timezone.utc)
    ts = etree.SubElement(sec, f"{{{WSU}}}Timestamp")
    etree.SubElement(ts, f"{{{WSU}}}Created").text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(ts, f"{{{WSU}}}Expires").text = (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    der = subprocess.run(["openssl", "x509", "-in", f"{pki}/g4/school-kvk-sign.cert.pem", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    bst = etree.SubElement(sec, f"{{{WSSE}}}BinarySecurityToken", EncodingType=B64, ValueType=X509V3)
    bst.text = base64.b64encode(der).decode()
    bst.set(f"{{{WSU}}}Id", "X509-1")
    parts = [env.find(f"{{{ek.SOAP11}}}Body"), ts, bst] + header.findall(f"{{{ek.WSA}}}*")
    for i, p in enumerate(parts):
        if p.get(f"{{{WSU}}}Id") is None:
            p.set(f"{{{WSU}}}Id", f"id-{i}")
    sig = etree.SubElement(sec, f"{{{DS}}}Signature", nsmap={"ds": DS})
    si = etree.SubElement(sig, f"{{{DS}}}SignedInfo")
    etree.SubElement(si, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
    etree.SubElement(si, f"{{{DS}}}SignatureMethod", Algorithm=PSS_SHA256)
    for p in parts:
        ref = etree.SubElement(si, f"{{{DS}}}Reference", URI="#" + p.get(f"{{{WSU}}}Id"))
        etree.SubElement(etree.SubElement(ref, f"{{{DS}}}Transforms"), f"{{{DS}}}Transform", Algorithm=EXC_C14N)
        etree.SubElement(ref, f"{{{DS}}}DigestMethod", Algorithm=SHA256)
        etree.SubElement(ref, f"{{{DS}}}DigestValue").text = base64.b64encode(hashlib.sha256(c14n(p)).digest()).decode()
    signed = openssl(["dgst", "-sha256", "-sign", f"{pki}/g4/school-kvk-sign.key.pem", *PSS_OPTS], c14n(si))
    if signed.returncode != 0:
        raise RuntimeError(signed.stderr.decode())
    etree.SubElement(sig, f"{{{DS}}}SignatureValue").text = base64.b64encode(signed.stdout).decode()
    str_ = etree.SubElement(etree.SubElement(sig, f"{{{DS}}}KeyInfo"), f"{{{WSSE}}}SecurityTokenReference")
    etree.SubElement(str_, f"{{{WSSE}}}Reference", URI="#X509-1", ValueType=X509V3)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def verify_answer(answer, work):
    """Every reference digest and the PSS SignatureValue, without libxmlsec1. Returns (ok, why)."""
    env = etree.fromstring(answer)
    sec = env.find(f"{{{ek.SOAP11}}}Header/{{{WSSE}}}Security")
    if sec is None:
        return False, "no wsse:Security"
    si = sec.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo")
    method = si.find(f"{{{DS}}}SignatureMethod").get("Algorithm")
    if method != PSS_SHA256:
        return False, f"SignatureMethod {method}"
    by_id = {el.get(f"{{{WSU}}}Id"): el for el in env.iter() if el.get(f"{{{WSU}}}Id")}
    for ref in si.findall(f"{{{DS}}}Reference"):
        target = by_id.get(ref.get("URI")[1:])
        if target is None:
            return False, f"no element for {ref.get('URI')}"
        digest = base64.b64encode(hashlib.sha256(c14n(target)).digest()).decode()
        if digest != "".join(ref.find(f"{{{DS}}}DigestValue").text.split()):
            return False, f"digest of {ref.get('URI')}"
    bst = sec.find(f"{{{WSSE}}}BinarySecurityToken")
    with open(f"{work}/answer-signer.der", "wb") as f:
        f.write(base64.b64decode(bst.text))
    pub = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", f"{work}/answer-signer.der", "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout
    with open(f"{work}/answer-signer.pub", "wb") as f:
        f.write(pub)
    with open(f"{work}/answer.sig", "wb") as f:
        f.write(base64.b64decode("".join(sec.find(f"{{{DS}}}Signature/{{{DS}}}SignatureValue").text.split())))
    v = openssl(["dgst", "-sha256", "-verify", f"{work}/answer-signer.pub", *PSS_OPTS, "-signature", f"{work}/answer.sig"],
                c14n(si))
    return v.returncode == 0, (v.stdout + v.stderr).decode()


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--wsdl", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="edugate-g4-pss-")
    extra = (f"wssecurity:\n  require_signed: [all]\n  certificate: {a.pki}/g4/sbb-sign.chain.pem\n"
             f"  private_key: {a.pki}/g4/sbb-sign.key.pem\n")
    proc, port = ek.start_provider(a.binary, a.pki, work, extra_yaml=extra, own="g4/sbb-tls",
                                   trust="g4/trust-g3-and-g4.pem", crls="g4/crls-g3-and-g4.pem")
    results = []

    def check(name, cond, detail=""):
        results.append(bool(cond))
        print(f"ok   {name}" if cond else f"FAIL {name} {detail}")

    try:
        cfg = os.path.join(work, "provider.yaml")
        for args in (["party", "--cert", f"{a.pki}/g4/school-kvk-auth.cert.pem", "--name", "ROC TEST Zeeland", "--kind", "school"],
                     ["agreement", "--oin", SCHOOL_OIN, "--service", "leerbedrijf"]):
            subprocess.run([a.binary, "onboard", "--config", cfg, *args], check=True, stdout=subprocess.DEVNULL)
        url = f"https://127.0.0.1:{port}/edukoppeling/leerbedrijf"
        session = requests.Session()
        session.trust_env = False
        session.cert = (f"{a.pki}/g4/school-kvk-auth.chain.pem", f"{a.pki}/g4/school-kvk-auth.key.pem")
        session.verify = f"{a.pki}/g4/trust-g3-and-g4.pem"
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f"\"{LB}:VerifieerErkenning\""}
        request = signed_request(a.pki, work, url)
        r = session.post(url, data=request, headers=headers, timeout=20)
        check("a request signed RSA-PSS by python (lxml + openssl) is accepted", r.status_code == 200 and b">true<" in r.content,
              r.content[:800])
        ok, why = verify_answer(r.content, work)
        check("the answer's RSA-PSS signature and digests verify without libxmlsec1", ok, why)
        tampered_answer = r.content.replace(b">true<", b">false<")
        ok, why = verify_answer(tampered_answer, work)
        check("the answer, once tampered, does not verify here", not ok, why)
        tampered = signed_request(a.pki, work, url).replace(b"100000001", b"100000002")  # a MessageID of its own
        r = session.post(url, data=tampered, headers=headers, timeout=20)
        check("a tampered RSA-PSS signed request is refused with EK0031", r.status_code == 500 and b"EK0031" in r.content,
              r.content[:800])
    except Exception as ex:
        check(f"exception {type(ex).__name__}: {ex}", False)
    finally:
        ek.stop_provider(proc, work, failed=not all(results))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
