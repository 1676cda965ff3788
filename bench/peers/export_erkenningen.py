#!/usr/bin/python3
"""Writes the erkenningen table the benchmark peers answer from, out of the SQLite database that
edugate's leerbedrijf adapter filled with its demo data (adapters/db/leerbedrijf_fixtures.cc,
`demo_data: true`). Usage: export_erkenningen.py SBB_DB [OUT]   (default OUT: standard output)

Columns (tab-separated, empty = none): leerbedrijf_id, samengevoegd_in, crebo, leerweg,
begindatum, einddatum, intrekdatum. A leerbedrijf without erkenningen has one row without crebo."""
import datetime
import sqlite3
import sys


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    db = sqlite3.connect(f"file:{argv[1]}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT l.id, l.samengevoegd_in, e.crebo, e.leerweg, e.begindatum, e.einddatum, e.intrekdatum "
        "FROM leerbedrijven l LEFT JOIN erkenningen e ON e.leerbedrijf_id = l.id ORDER BY l.id, e.rowid").fetchall()
    out = open(argv[2], "w", encoding="utf-8") if len(argv) == 3 else sys.stdout
    out.write(f"# edugate demo erkenningen, exported {datetime.date.today().isoformat()} by bench/peers/export_erkenningen.py\n")
    out.write("# leerbedrijf_id\tsamengevoegd_in\tcrebo\tleerweg\tbegindatum\teinddatum\tintrekdatum\n")
    for r in rows:
        out.write("\t".join("" if v is None else str(v) for v in r) + "\n")
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
