#!/usr/bin/python3
"""A python3-zeep client, built from wsdl/bpvmonitor.wsdl, delivers student data to the real
edugate provider and requests the school's results, over mutual TLS with the Edukoppeling
WS-Addressing headers."""
import datetime
import decimal
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edukoppeling_zeep import run_interop  # noqa: E402
from lxml import etree  # noqa: E402


BPV = "urn:edugate:bpvmonitor:1"


def checks(svc, check, last_answer):
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
    # Numbers as the XSD means them (issue 16 point 6): the means are rounded to one decimal in
    # the data, and the SOAP text says just that (7.8, never 7.7999999999999998).
    answer = etree.tostring(last_answer()).decode()
    cells = list(last_answer().iter(f"{{{BPV}}}Themaresultaat"))
    means = ("Gemiddelde", "LandelijkGemiddelde")
    texts = [cell.findtext(f"{{{BPV}}}{m}") for cell in cells for m in means]
    check("... each mean is written with the one decimal of the data",
          len(texts) == 28 and all(t and re.fullmatch(r"[0-9]+(\.[0-9])?", t) for t in texts), texts)
    check("... some of them are not exact in binary (so a 17-digit format would show its tail)",
          any(t and "." in t and t[-1] not in "05" for t in texts), texts)
    check("... the answer has no long digit tails anywhere", not re.search(r"[0-9]\.[0-9]{6,}", answer),
          re.findall(r"[0-9]+\.[0-9]{6,}", answer)[:5])
    pairs = [(getattr(c, m), cell.findtext(f"{{{BPV}}}{m}")) for c, cell in zip(results.Themaresultaat, cells) for m in means]
    check("... and zeep reads each back as the value of its text (7.8 for '7.8')",
          len(pairs) == 28 and all(v is not None and t and decimal.Decimal(repr(v)) == decimal.Decimal(t) for v, t in pairs),
          pairs[:6])
    recs = svc.VraagResponsrecordsOp(Periode="2026-K1", Pagina=1, PaginaGrootte=10)
    check("VraagResponsrecordsOp pages the school's responses",
          recs.TotaalAantal > 10 and len(recs.Responsrecord) == 10, recs.TotaalAantal)


if __name__ == "__main__":
    sys.exit(run_interop("bpvmonitor", "{urn:edugate:bpvmonitor:1}BpvMonitorBinding", checks, bpvmonitor=True,
                         answers=True))
