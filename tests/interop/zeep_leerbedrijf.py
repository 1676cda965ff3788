#!/usr/bin/python3
"""A python3-zeep client, built from wsdl/leerbedrijf.wsdl, calls the real edugate provider over
mutual TLS with the Edukoppeling WS-Addressing headers and checks the answers."""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

from lxml import etree
import requests
from zeep import Client, Plugin, Settings
from zeep.transports import Transport

WSA = "http://www.w3.org/2005/08/addressing"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SBB_OIN = "00000003273785290000"
SCHOOL_OIN = "0000000700025BE00000"
ANON = "http://www.w3.org/2005/08/addressing/anonymous"


class EdukoppelingAddressing(Plugin):
    """Adds wsa:To/From/Action/MessageID as Edukoppeling prescribes and checks RelatesTo."""

    def __init__(self, to, from_oin):
        self.to, self.from_oin, self.sent = to, from_oin, None

    def egress(self, envelope, http_headers, operation, binding_options):
        header = envelope.find(f"{{{SOAP11}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP11}}}Header")
            envelope.insert(0, header)
        # zeep adds WS-Addressing headers of its own for wsam:Action: replace them with ours.
        for old in header.findall(f"{{{WSA}}}*"):
            header.remove(old)
        self.sent = f"urn:uuid:{uuid.uuid4()}"
        action = operation.soapaction
        for name, value in (("To", self.to), ("Action", action), ("MessageID", self.sent)):
            etree.SubElement(header, f"{{{WSA}}}{name}").text = value
        frm = etree.SubElement(header, f"{{{WSA}}}From")
        etree.SubElement(frm, f"{{{WSA}}}Address").text = f"{ANON}?oin={self.from_oin}"
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        relates = envelope.find(f"{{{SOAP11}}}Header/{{{WSA}}}RelatesTo")
        if relates is None or relates.text != self.sent:
            raise AssertionError(f"RelatesTo {relates.text if relates is not None else None} != {self.sent}: "
                                 + etree.tostring(envelope).decode()[:2000])
        return envelope, http_headers


def start_provider(binary, pki, work):
    cfg = os.path.join(work, "provider.yaml")
    with open(cfg, "w") as f:
        f.write(f"""role: provider
oin: "{SBB_OIN}"
listen: {{address: 127.0.0.1, port: 0, threads: 2}}
tls:
  certificate: {pki}/sbb.chain.pem
  private_key: {pki}/sbb.key.pem
  trust_anchors: {pki}/trust.pem
  crls: [{pki}/crls.pem]
store: {{path: {work}/edugate.db}}
services:
  leerbedrijf:
    adapter: sqlite
    settings: {{path: {work}/sbb.db, demo_data: true}}
""")
    def run(*args):
        subprocess.run([binary, args[0], "--config", cfg, *args[1:]], check=True, stdout=subprocess.DEVNULL)
    run("onboard", "party", "--cert", f"{pki}/school-25be.cert.pem", "--name", "ROC TEST Twente", "--kind", "school")
    run("onboard", "agreement", "--oin", SCHOOL_OIN, "--service", "leerbedrijf")
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "provider.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--config", cfg, "--port-file", port_file], stdout=log, stderr=log)
    for _ in range(300):
        if os.path.exists(port_file):
            return proc, int(open(port_file).read())
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    raise RuntimeError("provider did not start: " + open(os.path.join(work, "provider.log")).read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--wsdl", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="edugate-zeep-")
    proc, port = start_provider(a.binary, a.pki, work)
    passed, failed = 0, 0
    try:
        url = f"https://127.0.0.1:{port}/edukoppeling/leerbedrijf"
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace our trust anchor
        session.cert = (f"{a.pki}/school-25be.chain.pem", f"{a.pki}/school-25be.key.pem")
        session.verify = f"{a.pki}/trust.pem"
        wsa = EdukoppelingAddressing(f"{url}?oin={SBB_OIN}", SCHOOL_OIN)
        client = Client(os.path.join(a.wsdl, "leerbedrijf.wsdl"), transport=Transport(session=session, timeout=20),
                        plugins=[wsa], settings=Settings(strict=True))
        svc = client.create_service("{urn:edugate:leerbedrijf:1}LeerbedrijfBinding", url)

        def check(name, cond, detail=""):
            nonlocal passed, failed
            if cond:
                passed += 1
                print(f"ok   {name}")
            else:
                failed += 1
                print(f"FAIL {name} {detail}")

        # The well-known fixture facts (adapters/sqlite/leerbedrijf_fixtures.h).
        ids = svc.IdentificeerLeerbedrijf(LeerbedrijfID=os.environ.get("EDUGATE_FX_ID", "100000001"))
        check("IdentificeerLeerbedrijf by id returns one leerbedrijf", len(ids.Leerbedrijf) == 1, ids)
        lb = ids.Leerbedrijf[0] if ids.Leerbedrijf else None
        check("IdentificeerLeerbedrijf carries NAW", lb is not None and lb.Naam and lb.Adres.Plaats, lb)

        details = svc.GeefLeerbedrijfDetails(LeerbedrijfID=lb.LeerbedrijfID)
        erkend = [e for e in details.Leerbedrijf.Erkenning if e.Status == "erkend"]
        check("GeefLeerbedrijfDetails lists an active erkenning", len(erkend) >= 1, details)
        e = erkend[0]
        v = svc.VerifieerErkenning(LeerbedrijfID=lb.LeerbedrijfID, Crebo=e.Crebo, Leerweg=e.Leerweg)
        check("VerifieerErkenning of an active erkenning is erkend", v.Erkend is True and v.SignaalCode == "ERKEND", v)
        v = svc.VerifieerErkenning(LeerbedrijfID="999999998", Crebo=e.Crebo, Leerweg=e.Leerweg)
        check("VerifieerErkenning of an unknown leerbedrijf gives a Melding",
              v.Erkend is False and any(m.Veld == "LeerbedrijfID" for m in v.Melding), v)
        v = svc.VerifieerErkenning(LeerbedrijfID="12AB", Crebo="1", Leerweg="XYZ")
        check("VerifieerErkenning with malformed identifiers names each field",
              {m.Veld for m in v.Melding} >= {"LeerbedrijfID", "Crebo", "Leerweg"}, v)
        ids = svc.IdentificeerLeerbedrijf(Naam=lb.Naam, Plaats=lb.Adres.Plaats)
        check("IdentificeerLeerbedrijf by naam + plaats finds it",
              any(x.LeerbedrijfID == lb.LeerbedrijfID for x in ids.Leerbedrijf), ids)
    except Exception as ex:  # a transport or SOAP fault is a failure of the interop test
        failed += 1
        print(f"FAIL exception {type(ex).__name__}: {ex}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if failed:
            print(open(os.path.join(work, "provider.log")).read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
