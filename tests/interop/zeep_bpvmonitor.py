#!/usr/bin/python3
"""A python3-zeep client, built from wsdl/bpvmonitor.wsdl, delivers student data to the real
edugate provider and requests the school's results, over mutual TLS with the Edukoppeling
WS-Addressing headers."""
import argparse
import datetime
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
    work = tempfile.mkdtemp(prefix="edugate-zeep-bpv-")
    proc, port = start_provider(a.binary, a.pki, work, bpvmonitor=True)
    passed, failed = 0, 0

    def check(name, cond, detail=""):
        nonlocal passed, failed
        if cond:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name} {detail}")

    try:
        url = f"https://127.0.0.1:{port}/edukoppeling/bpvmonitor"
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace our trust anchor
        session.cert = (f"{a.pki}/school-25be.chain.pem", f"{a.pki}/school-25be.key.pem")
        session.verify = f"{a.pki}/trust.pem"
        client = Client(os.path.join(a.wsdl, "bpvmonitor.wsdl"), transport=Transport(session=session, timeout=20),
                        plugins=[EdukoppelingAddressing(f"{url}?oin={SBB_OIN}", SCHOOL_OIN)],
                        settings=Settings(strict=True))
        svc = client.create_service("{urn:edugate:bpvmonitor:1}BpvMonitorBinding", url)
        einde = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()

        def record(kenmerk, **changes):
            r = dict(BpvoKenmerk=kenmerk, Brin="25BE", RioOnderwijsaanbiedercode="123A456", RioLocatiecode="123X001",
                     Opleidingscode="25180", Leerweg="BOL", LeerbedrijfID="100000001", Einddatum=einde,
                     StudentVoornaam="Zeep", StudentAchternaam="Student", StudentEmail=f"{kenmerk}@school.example")
            r.update(changes)
            return r

        res = svc.LeverStudentgegevensAan(Studentgegeven=[record("Z1"), record("Z2", StudentEmail="geen-adres")])
        check("LeverStudentgegevensAan accepts the good record", res.AantalGeaccepteerd == 1, res)
        check("... and refuses the bad one naming the field",
              res.Recordresultaat[1].Status == "geweigerd"
              and any(m.Veld == "StudentEmail" for m in res.Recordresultaat[1].Melding), res)
        check("... with the invitation date three weeks before the end",
              res.Recordresultaat[0].Uitnodigingsdatum ==
              (datetime.date.today() + datetime.timedelta(days=39)).isoformat(), res)
        corr = svc.CorrigeerStudentgegeven(Studentgegeven=record("Z1", StudentAchternaam="Gecorrigeerd"))
        check("CorrigeerStudentgegeven", corr.Status == "geaccepteerd", corr)
        out = svc.TrekStudentgegevenIn(BpvoKenmerk="Z1")
        check("TrekStudentgegevenIn", out.Status == "ingetrokken", out)
        results = svc.VraagResultatenOp(Filter={"Periode": "2026-K1"})
        check("VraagResultatenOp returns 7 themes x 2 groups", len(results.Themaresultaat) == 14, results)
        check("... with means and the national benchmark",
              all(c.Gemiddelde is not None and c.LandelijkGemiddelde is not None for c in results.Themaresultaat), results)
        recs = svc.VraagResponsrecordsOp(Periode="2026-K1", Pagina=1, PaginaGrootte=10)
        check("VraagResponsrecordsOp pages the school's responses",
              recs.TotaalAantal > 10 and len(recs.Responsrecord) == 10, recs.TotaalAantal)
    except Exception as ex:  # a transport error or SOAP fault fails the interop test
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
