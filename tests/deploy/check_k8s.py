#!/usr/bin/env python3
"""deploy/k8s: every manifest parses, and the pieces fit together (ports, probes, mounts, the
edugate.yaml in the ConfigMap). Exit 0 when all holds; prints what does not."""
import sys
from pathlib import Path

import yaml

k8s = Path(sys.argv[1])
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


docs = {}
for f in sorted(k8s.glob("*.yaml")):
    for d in yaml.safe_load_all(f.read_text()):
        if d is None:
            continue
        check("apiVersion" in d and "kind" in d, f"{f.name}: apiVersion and kind")
        if d.get("kind") == "Kustomization":
            for r in d.get("resources", []):
                check((k8s / r).exists(), f"kustomization: {r} missing")
            continue
        name = d.get("metadata", {}).get("name")
        check(bool(name), f"{f.name}: metadata.name")
        docs[(d["kind"], name)] = d

dep = docs.get(("Deployment", "edugate"))
cm = docs.get(("ConfigMap", "edugate-config"))
check(dep is not None, "Deployment edugate")
check(cm is not None, "ConfigMap edugate-config")
check(("Secret", "edugate-tls") in docs and ("Secret", "edugate-postgres") in docs, "Secrets edugate-tls, edugate-postgres")
check(("Service", "edugate") in docs, "Service edugate")
if dep and cm:
    spec = dep["spec"]
    check(spec["replicas"] == 2, "2 replicas")
    check(spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(), "selector matches the pod labels")
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    conf = yaml.safe_load(cm["data"]["edugate.yaml"])
    check(conf["listen"]["port"] == ports["edukoppeling"], "listen.port = containerPort edukoppeling")
    check(conf["admin"]["port"] == ports["admin"], "admin.port = containerPort admin")
    check(conf["admin"]["address"] == "0.0.0.0", "admin listens on the pod IP (kubelet probes)")
    check(conf["store"]["kind"] == "postgres" and "dsn" in conf["store"], "store: {kind: postgres, dsn}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        g = c[probe]["httpGet"]
        check(g["path"] == path and g["port"] in ("admin", ports["admin"]), f"{probe} on the admin port, {path}")
    grace_s = conf.get("shutdown_grace_ms", 10000) / 1000 + conf.get("outbox", {}).get("send_timeout_ms", 10000) / 1000
    check(pod["terminationGracePeriodSeconds"] > grace_s, "terminationGracePeriodSeconds > shutdown grace + outbox send timeout")
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    check(mounts["tls"].get("readOnly") is True and mounts["config"].get("readOnly") is True, "TLS and config mounted read-only")
    vols = {v["name"]: v for v in pod["volumes"]}
    check(vols["tls"]["secret"]["secretName"] == "edugate-tls", "TLS volume from Secret edugate-tls")
    for key in ("certificate", "private_key", "trust_anchors"):
        check(conf["tls"][key].startswith(mounts["tls"]["mountPath"] + "/"), f"tls.{key} in the Secret's mount")
    env = {e["name"]: e for e in c.get("env", [])}
    check(env.get("PGPASSWORD", {}).get("valueFrom", {}).get("secretKeyRef", {}).get("name") == "edugate-postgres",
          "PGPASSWORD from Secret edugate-postgres")
    check(pod["securityContext"].get("runAsNonRoot") is True, "runAsNonRoot")
    check(c["securityContext"].get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
    svc = docs[("Service", "edugate")]["spec"]
    check(all(p["protocol"] == "TCP" and p["targetPort"] in ("edukoppeling", ports["edukoppeling"]) for p in svc["ports"]),
          "Service: TCP to the edukoppeling port")

if problems:
    print("\n".join("deploy/k8s: " + p for p in problems))
    sys.exit(1)
print(f"deploy/k8s: {len(docs)} objects ok")
