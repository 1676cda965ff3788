#!/usr/bin/python3
"""A python3-zeep client, built from wsdl/bpvmonitor.wsdl, delivers student data to the real
edugate provider and requests the school's results, over mutual TLS with the Edukoppeling
WS-Addressing headers."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edukoppeling_zeep import run_interop  # noqa: E402


def checks(svc, check):
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


if __name__ == "__main__":
    sys.exit(run_interop("bpvmonitor", "{urn:edugate:bpvmonitor:1}BpvMonitorBinding", checks, bpvmonitor=True))
