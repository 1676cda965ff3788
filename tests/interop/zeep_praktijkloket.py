#!/usr/bin/python3
"""A python3-zeep client, built from wsdl/praktijkloket.wsdl, runs the whole Praktijkloket flow
against the real edugate provider over mutual TLS: deelnemer -> begeleidingsdocument -> afronden
-> praktijkverklaring -> definitief -> PDF, and checks the PDF's text with pdftotext."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edukoppeling_zeep import run_interop  # noqa: E402


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True, check=True).stdout


def checks(svc, check):
    d = svc.VoegDeelnemerToe(Deelnemer=dict(Voornaam="Zeger", Achternaam="Zeeppersoon", Geboortedatum="2006-03-03",
                                            Onderwijsvorm="mbo", Kenmerk="ST-1001"))
    check("VoegDeelnemerToe returns a DeelnemerID", d.DeelnemerID, d)
    dup = svc.VoegDeelnemerToe(Deelnemer=dict(Voornaam="Zeger", Achternaam="Zeeppersoon", Geboortedatum="2006-03-03",
                                              Onderwijsvorm="mbo"))
    check("a duplicate points at the existing deelnemer", dup.BestaandeDeelnemerID == d.DeelnemerID and not dup.DeelnemerID, dup)
    kw = svc.GeefWerkprocessen(Crebo="25180")
    codes = [w.Code for k in kw.Kerntaak for w in k.Werkproces]
    check("GeefWerkprocessen lists the werkprocessen of the current version", "B1-K1-W1" in codes, codes)
    opleiders = svc.GeefPraktijkopleiders(LeerbedrijfID="100000001", DeelnemerID=d.DeelnemerID)
    po = opleiders.Praktijkopleider[0].PraktijkopleiderID
    doc = svc.MaakBegeleidingsdocument(Begeleidingsdocument=dict(
        DeelnemerID=d.DeelnemerID, LeerbedrijfID="100000001", PraktijkopleiderID=po, Begindatum="2026-09-01",
        Einddatum="2027-06-30",
        Kwalificatie=[dict(Crebo="25180", Werkproces=[dict(Code="B1-K1-W1", ToonGedrag=True), dict(Code="B1-K1-W2")])]))
    check("MaakBegeleidingsdocument makes a concept", doc.Begeleidingsdocument.Status == "concept", doc)
    doc_id = doc.Begeleidingsdocument.DocumentID
    af = svc.RondBegeleidingsdocumentAf(DocumentID=doc_id)
    check("RondBegeleidingsdocumentAf finishes it", af.Begeleidingsdocument.Status == "afgerond", af)
    pv = svc.MaakPraktijkverklaring(Praktijkverklaring=dict(
        DeelnemerID=d.DeelnemerID, LeerbedrijfID="100000001", PraktijkopleiderID=po, Onderwijsvorm="mbo",
        Begindatum="2026-09-01", Einddatum="2027-06-30", BpvUren="480", BegeleidingsdocumentID=doc_id,
        Branchelogo=["techniek"]))
    check("MaakPraktijkverklaring imports the document's werkprocessen",
          [w.Code for w in pv.Praktijkverklaring.Werkproces] == ["B1-K1-W1", "B1-K1-W2"], pv)
    vid = pv.Praktijkverklaring.VerklaringID
    fin = svc.MaakPraktijkverklaringDefinitief(VerklaringID=vid)
    check("MaakPraktijkverklaringDefinitief makes it definitief", fin.Praktijkverklaring.Status == "definitief", fin)
    got = svc.GeefPraktijkverklaring(VerklaringID=vid, MetPdf=True)
    check("GeefPraktijkverklaring returns a PDF", got.Pdf and got.Pdf[:5] == b"%PDF-", got.Pdf[:20] if got.Pdf else None)
    text = pdf_text(got.Pdf)
    for needle in ("Zeeppersoon", "B1-K1-W1", "B1-K1-W2", "480"):
        check(f"the PDF's text carries {needle}", needle in text, text[:1500])
    check("a definitieve verklaring is not marked CONCEPT", "CONCEPT" not in text, text[:500])
    bad = svc.WijzigPraktijkverklaring(VerklaringID=vid, Praktijkverklaring=dict(
        DeelnemerID=d.DeelnemerID, LeerbedrijfID="100000001", Onderwijsvorm="mbo", Begindatum="2026-09-01",
        Einddatum="2027-06-30", BpvUren="9", BegeleidingsdocumentID=doc_id))
    check("a definitieve verklaring cannot be changed (Melding)",
          any(m.Code == "PL-DEFINITIEF" or m.Veld == "Praktijkverklaring/BpvUren" for m in bad.Melding), bad)


if __name__ == "__main__":
    sys.exit(run_interop("praktijkloket", "{urn:edugate:praktijkloket:1}PraktijkloketBinding", checks, praktijkloket=True))
