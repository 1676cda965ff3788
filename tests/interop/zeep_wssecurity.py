#!/usr/bin/python3
"""WS-Security interop (issue 6 §8): a request signed by python3-zeep with python3-xmlsec
(BinarySignature, RSA-SHA256/SHA-256, exc-c14n, plus the WS-Addressing headers and a Timestamp
as Digikoppeling 2W-be-S asks) is verified by the real edugate provider, which requires signed
requests; edugate's signed answer is then verified by the xmlsec1 command line tool, its
certificate by openssl against the test PKI, and its SignatureConfirmation must carry our
SignatureValue [WB014]. A signed request over a resumed TLS session verifies too."""
import datetime
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edukoppeling_zeep as ek  # noqa: E402

from lxml import etree  # noqa: E402
import xmlsec  # noqa: E402
from zeep import Plugin  # noqa: E402
from zeep.wsse import signature as zsig  # noqa: E402
from zeep.transports import Transport  # noqa: E402
from zeep.wsse.utils import get_security_header  # noqa: E402

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"


class EdukoppelingSignature(zsig.BinarySignature):
    """zeep's own BinarySignature, with a Timestamp added and every WS-A header signed as well."""

    def apply(self, envelope, headers):
        security = get_security_header(envelope)
        now = datetime.datetime.now(datetime.timezone.utc)
        ts = etree.SubElement(security, f"{{{WSU}}}Timestamp")
        etree.SubElement(ts, f"{{{WSU}}}Created").text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        etree.SubElement(ts, f"{{{WSU}}}Expires").text = (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        original = zsig._sign_node
        wsa_headers = envelope.findall(f"{{{ek.SOAP11}}}Header/{{{ek.WSA}}}*")

        def sign_node_and_wsa(ctx, signature, target, digest_method=None):
            original(ctx, signature, target, digest_method)
            if target.tag == f"{{{ek.SOAP11}}}Body":
                for h in wsa_headers:
                    original(ctx, signature, h, digest_method)
        zsig._sign_node = sign_node_and_wsa
        try:
            return super().apply(envelope, headers)
        finally:
            zsig._sign_node = original

    def verify(self, envelope):
        # zeep would verify the answer with our own certificate; xmlsec1 does it below instead.
        return envelope


class SentTransport(Transport):
    """Keeps the bytes zeep put on the wire (after signing)."""

    def post(self, address, message, headers):
        self.sent = message
        return super().post(address, message, headers)


class Capture(Plugin):
    def __init__(self):
        self.request = self.response = None

    def egress(self, envelope, http_headers, operation, binding_options):
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        self.response = etree.tostring(envelope)
        return envelope, http_headers


def main():
    import argparse
    import requests
    from zeep import Client, Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--wsdl", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="edugate-zeep-wss-")
    proc, port = ek.start_provider(a.binary, a.pki, work, extra_yaml="wssecurity:\n  require_signed: [all]\n")
    results = []

    def check(name, cond, detail=""):
        results.append(bool(cond))
        print(f"ok   {name}" if cond else f"FAIL {name} {detail}")

    try:
        url = f"https://127.0.0.1:{port}/edukoppeling/leerbedrijf"
        session = requests.Session()
        session.trust_env = False
        session.cert = (f"{a.pki}/school-25be.chain.pem", f"{a.pki}/school-25be.key.pem")
        session.verify = f"{a.pki}/trust.pem"
        capture = Capture()
        wsse = EdukoppelingSignature(f"{a.pki}/school-25be.key.pem", f"{a.pki}/school-25be.cert.pem",
                                     signature_method=xmlsec.Transform.RSA_SHA256, digest_method=xmlsec.Transform.SHA256)
        transport = SentTransport(session=session, timeout=20)
        client = Client(os.path.join(a.wsdl, "leerbedrijf.wsdl"), transport=transport,
                        plugins=[ek.EdukoppelingAddressing(f"{url}?oin={ek.SBB_OIN}", ek.SCHOOL_OIN), capture],
                        settings=Settings(strict=True), wsse=wsse)
        svc = client.create_service("{urn:edugate:leerbedrijf:1}LeerbedrijfBinding", url)
        v = svc.VerifieerErkenning(LeerbedrijfID="100000001", Crebo="25180", Leerweg="BOL")
        check("zeep-signed VerifieerErkenning is accepted and answered", v.Erkend is True, v)

        # The answer: signed by SBB, verified by the xmlsec1 command line tool.
        resp = etree.fromstring(capture.response)
        sec = resp.find(f"{{{ek.SOAP11}}}Header/{{{WSSE}}}Security")
        check("answer carries wsse:Security", sec is not None)
        bst = sec.find(f"{{{WSSE}}}BinarySecurityToken")
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
            bst.text[i:i + 64] for i in range(0, len(bst.text), 64)) + "\n-----END CERTIFICATE-----\n"
        with open(f"{work}/signer.pem", "w") as f:
            f.write(pem)
        with open(f"{work}/response.xml", "wb") as f:
            f.write(capture.response)
        ov = subprocess.run(["openssl", "verify", "-CAfile", f"{a.pki}/trust.pem", "-untrusted", f"{a.pki}/intermediates.pem",
                             "-crl_check_all", "-CRLfile", f"{a.pki}/crls.pem", f"{work}/signer.pem"],
                            capture_output=True, text=True)
        check("answer's signing certificate chains to the trust anchor (openssl verify)", ov.returncode == 0, ov.stdout + ov.stderr)
        subj = subprocess.run(["openssl", "x509", "-in", f"{work}/signer.pem", "-noout", "-subject"],
                              capture_output=True, text=True).stdout
        check("answer is signed by SBB's OIN", ek.SBB_OIN in subj, subj)
        ids = []
        for ns, local in ((ek.SOAP11, "Body"), (WSU, "Timestamp"), (WSSE, "BinarySecurityToken"),
                          (WSSE11, "SignatureConfirmation"), (ek.WSA, "To"), (ek.WSA, "From"), (ek.WSA, "Action"),
                          (ek.WSA, "MessageID"), (ek.WSA, "RelatesTo")):
            ids += ["--id-attr:Id", f"{ns}:{local}"]
        xv = subprocess.run(["xmlsec1", "--verify", "--enabled-reference-uris", "same-doc", "--pubkey-cert-pem",
                             f"{work}/signer.pem", *ids, f"{work}/response.xml"], capture_output=True, text=True)
        check("xmlsec1 --verify accepts edugate's signed answer", xv.returncode == 0 and "OK" in xv.stdout + xv.stderr,
              xv.stdout + xv.stderr)
        refs = {r.get("URI") for r in sec.iterfind(f"{{{DS}}}Signature/{{{DS}}}SignedInfo/{{{DS}}}Reference")}
        body_id = resp.find(f"{{{ek.SOAP11}}}Body").get(f"{{{WSU}}}Id")
        check("answer's signature covers its Body", f"#{body_id}" in refs, refs)
        check("answer's signature covers every WS-A header", all(
            f"#{h.get(f'{{{WSU}}}Id')}" in refs for h in resp.findall(f"{{{ek.SOAP11}}}Header/{{{ek.WSA}}}*")), refs)
        # Tampering with the answer makes xmlsec1 refuse it (the check can fail).
        with open(f"{work}/tampered.xml", "wb") as f:
            f.write(capture.response.replace(b">true<", b">false<"))
        xt = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", f"{work}/signer.pem", *ids, f"{work}/tampered.xml"],
                            capture_output=True, text=True)
        check("xmlsec1 refuses the answer once tampered", xt.returncode != 0, xt.stdout + xt.stderr)
        # SignatureConfirmation carries the SignatureValue zeep sent [WB014].
        conf = sec.find(f"{{{WSSE11}}}SignatureConfirmation")
        sent_value = "".join(etree.fromstring(transport.sent).find(f".//{{{DS}}}SignatureValue").text.split())
        check("answer's SignatureConfirmation carries zeep's SignatureValue",
              conf is not None and conf.get("Value") == sent_value, (conf.get("Value") if conf is not None else None, sent_value))

        # An unsigned request is refused with EK0031 (zeep raises the SOAP fault).
        plain = Client(os.path.join(a.wsdl, "leerbedrijf.wsdl"), transport=Transport(session=session, timeout=20),
                       plugins=[ek.EdukoppelingAddressing(f"{url}?oin={ek.SBB_OIN}", ek.SCHOOL_OIN)],
                       settings=Settings(strict=True))
        try:
            plain.create_service("{urn:edugate:leerbedrijf:1}LeerbedrijfBinding", url).VerifieerErkenning(
                LeerbedrijfID="100000001", Crebo="25180", Leerweg="BOL")
            check("unsigned request is refused", False, "accepted")
        except Exception as ex:  # zeep.exceptions.Fault
            check("unsigned request is refused with EK0031", "EK0031" in str(ex), ex)

        # A zeep-signed request over a resumed TLS session: the resumed session carries the
        # school's certificate but not its chain; edugate verifies the signer with the chain of the
        # full handshake, which it carried in its own session ticket.
        import socket
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.load_cert_chain(f"{a.pki}/school-25be.chain.pem", f"{a.pki}/school-25be.key.pem")
        tls.load_verify_locations(f"{a.pki}/trust.pem")

        def post_signed(resume):
            body = etree.tostring(client.create_message(svc, "VerifieerErkenning", LeerbedrijfID="100000001",
                                                        Crebo="25180", Leerweg="BOL"))
            s = tls.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname="127.0.0.1",
                                session=resume)
            s.sendall((f"POST /edukoppeling/leerbedrijf HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                       "Content-Type: text/xml; charset=utf-8\r\n"
                       "SOAPAction: \"urn:edugate:leerbedrijf:1:VerifieerErkenning\"\r\n"
                       f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
            reused, session_out = s.session_reused, s.session
            s.close()
            return answer, reused, session_out

        first, first_reused, ticket = post_signed(None)
        check("signed request over a full handshake (raw TLS) is answered", first.startswith(b"HTTP/1.1 200") and
              not first_reused, first[:300])
        resumed, was_reused, _ = post_signed(ticket)
        check("the second connection resumes the TLS session", was_reused)
        check("a signed request over the resumed session verifies and is answered",
              resumed.startswith(b"HTTP/1.1 200") and b"EK0031" not in resumed and b">true<" in resumed, resumed[:600])
    except Exception as ex:
        check(f"exception {type(ex).__name__}: {ex}", False)
    finally:
        ek.stop_provider(proc, work, failed=not all(results))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
