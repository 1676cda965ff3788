#!/usr/bin/env python3
"""deploy/docker/Dockerfile (docker cannot run here): known instructions, two stages on the
Debian images the brief names, a non-root user, EXPOSE, HEALTHCHECK on /healthz, every COPY
source present in the repository and not excluded by .dockerignore."""
import fnmatch
import json
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
dockerfile = root / "deploy/docker/Dockerfile"
problems = []
KNOWN = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR",
         "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}

text = dockerfile.read_text()
logical = []
buf = ""
for line in text.splitlines():
    if line.lstrip().startswith("#") and not buf:
        continue
    if line.endswith("\\"):
        buf += line[:-1] + " "
        continue
    buf += line
    if buf.strip():
        logical.append(buf.strip())
    buf = ""

ignore = [l.strip() for l in (root / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]


def ignored(path):
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.replace("**/", "")) or path.startswith(p + "/")
               for p in ignore)


stages, users, exposed, health, entry = [], [], [], None, None
for l in logical:
    instr, _, args = l.partition(" ")
    instr = instr.upper()
    if instr not in KNOWN:
        problems.append(f"unknown instruction {instr}")
    if instr == "FROM":
        stages.append(args.split()[0])
    elif instr == "USER":
        users.append(args)
    elif instr == "EXPOSE":
        exposed += args.split()
    elif instr == "HEALTHCHECK":
        health = args
    elif instr == "ENTRYPOINT":
        entry = json.loads(args)
    elif instr in ("CMD",) and args.startswith("["):
        json.loads(args)
    elif instr == "COPY" and "--from=" not in args:
        for src in args.split()[:-1]:
            if src.startswith("--"):
                continue
            if src != "." and not (root / src).exists():
                problems.append(f"COPY source {src} missing")
            if src != "." and ignored(src):
                problems.append(f"COPY source {src} excluded by .dockerignore")

if stages != ["debian:12", "debian:12-slim"]:
    problems.append(f"stages {stages}: want debian:12 (build), debian:12-slim (runtime)")
if not users or users[-1].split(":")[0] in ("root", "0"):
    problems.append("runtime stage must run as a non-root USER")
if "8443/tcp" not in exposed or "9180/tcp" not in exposed:
    problems.append(f"EXPOSE {exposed}: want 8443/tcp and 9180/tcp")
if not health or "/healthz" not in health or "9180" not in health:
    problems.append("HEALTHCHECK against /healthz on the admin port")
if entry != ["/usr/bin/edugate"]:
    problems.append(f"ENTRYPOINT {entry}")
if not re.search(r"install-deps\.sh --build-only", text) or not re.search(r"install-deps\.sh --runtime", text):
    problems.append("the stages install their packages with deploy/install-deps.sh")
for must_ignore in (".git", "build", "var"):
    if must_ignore not in ignore:
        problems.append(f".dockerignore: {must_ignore}")

if problems:
    print("\n".join("Dockerfile: " + p for p in problems))
    sys.exit(1)
print(f"Dockerfile: {len(logical)} instructions ok")
