#!/usr/bin/env python3
"""Writes lever-studentgegevens-100.json: one LeverStudentgegevensAan with a batch of records for
school 25BE of the example PKI and the demo data (LeerbedrijfID 100000001, crebo 25180).
Invented names only. {{seq}} makes every BpvoKenmerk new for each request of a run, so every
request writes its records; {{today+N}} keeps the end dates in the future.

Usage: make-lever-studentgegevens.py [RECORDS] > lever-studentgegevens-100.json"""
import json
import sys

records = int(sys.argv[1]) if len(sys.argv) > 1 else 100
ns = "urn:edugate:bpvmonitor:1"
parts = []
for i in range(1, records + 1):
    n = f"{i:03d}"
    fields = [
        ("BpvoKenmerk", f"BENCH-{{{{seq}}}}-{n}"),
        ("Brin", "25BE"),
        ("RioOnderwijsaanbiedercode", "123A456"),
        ("RioLocatiecode", "123X001"),
        ("Opleidingscode", "25180"),
        ("Leerweg", "BOL" if i % 2 else "BBL"),
        ("LeerbedrijfID", "100000001"),
        ("Einddatum", f"{{{{today+{30 + i}}}}}"),
        ("StudentVoornaam", "Bench"),
        ("StudentAchternaam", f"Student {n}"),
        ("StudentEmail", f"bench.{n}.{{{{seq}}}}@school.example"),
    ]
    parts.append("<bpv:Studentgegeven>" + "".join(f"<bpv:{k}>{v}</bpv:{k}>" for k, v in fields) + "</bpv:Studentgegeven>")
body = f'<bpv:LeverStudentgegevensAanVerzoek xmlns:bpv="{ns}">' + "".join(parts) + "</bpv:LeverStudentgegevensAanVerzoek>"
json.dump({"service": "bpvmonitor", "action": "LeverStudentgegevensAan", "to_oin": "00000003273785290000",
           "from_oin": "0000000700025BE00000", "body": body}, sys.stdout, indent=2)
sys.stdout.write("\n")
