#!/usr/bin/python3
"""Runs Debian's testssl.sh against a real edugate provider and fails on any finding of
severity MEDIUM or higher (protocols, cipher suites, vulnerabilities, server defaults).
Findings testssl cannot test because a client certificate is required are reported (WARN)."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edukoppeling_zeep import start_provider  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pki", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="edugate-testssl-")
    proc, port = start_provider(a.binary, a.pki, work)
    report = os.path.join(work, "testssl.json")
    try:
        subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "batch", "--severity", "LOW",
                        "--jsonfile", report, "--add-ca", f"{a.pki}/trust.pem", "--ip", "127.0.0.1",
                        "-p", "-s", "-f", "-U", "-S", f"https://localhost:{port}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=600, check=False)
        findings = json.load(open(report))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    bad = [f for f in findings if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")]
    for f in findings:
        if f.get("severity") not in ("OK", "INFO", "DEBUG"):
            print(f"{f['severity']:8} {f['id']}: {f['finding']}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(findings) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad or not findings else 0


if __name__ == "__main__":
    sys.exit(main())
