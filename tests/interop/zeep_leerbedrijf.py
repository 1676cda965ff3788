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

import requests
from zeep import Client, Settings
from zeep.transports import Transport

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edukoppeling_zeep import SBB_OIN, SCHOOL_OIN, EdukoppelingAddressing, start_provider  # noqa: E402


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
