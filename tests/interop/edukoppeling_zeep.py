"""Shared by the zeep interop tests: the Edukoppeling WS-Addressing plugin and starting a real
edugate provider with the example PKI."""
import argparse
import os
import shutil
import signal
import subprocess
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
        self.to, self.from_oin, self.sent, self.received = to, from_oin, None, None

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
        self.received = envelope
        return envelope, http_headers


def start_provider(binary, pki, work, bpvmonitor=False, extra_yaml="", praktijkloket=False, own="sbb", trust="trust.pem",
                   crls="crls.pem"):
    """own: the stem of SBB's TLS certificate; trust, crls: files of the example PKI."""
    cfg = os.path.join(work, "provider.yaml")
    with open(cfg, "w") as f:
        f.write(f"""role: provider
oin: "{SBB_OIN}"
listen: {{address: 127.0.0.1, port: 0, threads: 2}}
tls:
  certificate: {pki}/{own}.chain.pem
  private_key: {pki}/{own}.key.pem
  trust_anchors: {pki}/{trust}
  crls: [{pki}/{crls}]
store: {{path: {work}/edugate.db}}
services:
  leerbedrijf:
    adapter: sqlite
    settings: {{path: {work}/sbb.db, demo_data: true}}
""" + (f"""  bpvmonitor:
    adapter: sqlite
    settings: {{path: {work}/bpv.db, leerbedrijf_path: {work}/sbb.db, demo_data: true}}
""" if bpvmonitor else "") + (f"""  praktijkloket:
    adapter: sqlite
    settings: {{path: {work}/pl.db, leerbedrijf_path: {work}/sbb.db, demo_data: true}}
""" if praktijkloket else "") + extra_yaml)
    def run(*args):
        subprocess.run([binary, args[0], "--config", cfg, *args[1:]], check=True, stdout=subprocess.DEVNULL)
    run("onboard", "party", "--cert", f"{pki}/school-25be.cert.pem", "--name", "ROC TEST Twente", "--kind", "school")
    for service in ("leerbedrijf", "bpvmonitor", "bpvmonitor-studentgegevens", "praktijkloket"):
        run("onboard", "agreement", "--oin", SCHOOL_OIN, "--service", service)
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


def stop_provider(proc, work, failed):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if failed:
        print(open(os.path.join(work, "provider.log")).read()[-3000:])
    shutil.rmtree(work, ignore_errors=True)


def run_interop(service, binding, checks, bpvmonitor=False, praktijkloket=False, answers=False):
    """Starts a provider, builds a zeep client for wsdl/<service>.wsdl acting as school 25BE,
    runs checks(svc, check) and prints 'N passed, M failed'. Returns the exit code. With answers,
    checks(svc, check, last_answer): last_answer() is the envelope of the last answer as it came
    (lxml), for what zeep's objects no longer show, such as the text of a number."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--wsdl", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix=f"edugate-zeep-{service}-")
    proc, port = start_provider(a.binary, a.pki, work, bpvmonitor=bpvmonitor, praktijkloket=praktijkloket)
    counts = {"passed": 0, "failed": 0}

    def check(name, cond, detail=""):
        counts["passed" if cond else "failed"] += 1
        print(f"ok   {name}" if cond else f"FAIL {name} {detail}")

    try:
        url = f"https://127.0.0.1:{port}/edukoppeling/{service}"
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace our trust anchor
        session.cert = (f"{a.pki}/school-25be.chain.pem", f"{a.pki}/school-25be.key.pem")
        session.verify = f"{a.pki}/trust.pem"
        addressing = EdukoppelingAddressing(f"{url}?oin={SBB_OIN}", SCHOOL_OIN)
        client = Client(os.path.join(a.wsdl, f"{service}.wsdl"), transport=Transport(session=session, timeout=20),
                        plugins=[addressing], settings=Settings(strict=True))
        svc = client.create_service(binding, url)
        if answers:
            checks(svc, check, lambda: addressing.received)
        else:
            checks(svc, check)
    except Exception as ex:  # a transport error or SOAP fault fails the interop test
        check(f"exception {type(ex).__name__}: {ex}", False)
    finally:
        stop_provider(proc, work, counts["failed"])
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] or not counts["passed"] else 0
