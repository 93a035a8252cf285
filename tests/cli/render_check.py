#!/usr/bin/env python3
"""Parse `ebctl render` output back and check it against the Dockerrun file:
container names, images, ports and links must round-trip.

usage: render_check.py compose|k8s DOCKERRUN.json RENDERED.yaml"""
import json
import re
import sys

import yaml


def k8s_name(s):
    return re.sub(r"[^a-z0-9]", "-", s.lower())


def ports_of(c):
    out = []
    for p in c.get("portMappings") or []:
        proto = p.get("protocol") or "tcp"
        host = p.get("hostPort") or 0
        out.append((host, p["containerPort"], proto))
    return out


def check_compose(d, text):
    doc = yaml.safe_load(text)
    services = doc["services"]
    names = [c["name"] for c in d["containerDefinitions"]]
    assert list(services) == names, f"services {list(services)} != containers {names}"
    for c in d["containerDefinitions"]:
        s = services[c["name"]]
        assert s["image"] == c["image"], (s["image"], c["image"])
        want = [(f"{h}:" if h else "") + f"{cp}/{pr}" for h, cp, pr in ports_of(c)]
        assert s.get("ports", []) == want, (c["name"], s.get("ports"), want)
        assert s.get("links", []) == (c.get("links") or []), (c["name"], s.get("links"), c.get("links"))
        for link in s.get("links", []):
            assert link.split(":")[0] in services, f"link {link} names no service"
        env = {e["name"]: e["value"] for e in c.get("environment") or []}
        assert s.get("environment", {}) == env, (c["name"], s.get("environment"), env)
    return len(names)


def check_k8s(d, text):
    docs = [x for x in yaml.safe_load_all(text) if x]
    deps = {x["metadata"]["name"]: x for x in docs if x["kind"] == "Deployment"}
    svcs = {x["metadata"]["name"]: x for x in docs if x["kind"] == "Service"}
    names = [k8s_name(c["name"]) for c in d["containerDefinitions"]]
    assert list(deps) == names, f"deployments {list(deps)} != containers {names}"
    for c in d["containerDefinitions"]:
        n = k8s_name(c["name"])
        spec = deps[n]["spec"]
        assert spec["selector"]["matchLabels"] == {"app": n}
        assert spec["template"]["metadata"]["labels"] == {"app": n}
        (ct,) = spec["template"]["spec"]["containers"]
        assert ct["image"] == c["image"], (ct["image"], c["image"])
        got = [(p["containerPort"], p["protocol"].lower()) for p in ct.get("ports", [])]
        assert got == [(cp, pr) for _, cp, pr in ports_of(c)], (n, got)
        if c.get("memory"):
            assert ct["resources"]["limits"]["memory"] == f"{c['memory']}Mi"
        for link in c.get("links") or []:
            target, _, alias = link.partition(":")
            for host in {target, alias or target}:
                svc = svcs.get(k8s_name(host))
                assert svc, f"link {link} of {c['name']}: no Service '{k8s_name(host)}'"
                assert svc["spec"]["selector"] == {"app": k8s_name(target)}, (link, svc["spec"]["selector"])
        if ports_of(c):
            svc = svcs[n]
            assert [p["targetPort"] for p in svc["spec"]["ports"]] == [cp for _, cp, _ in ports_of(c)]
            if any(h == 80 for h, _, _ in ports_of(c)):
                assert svc["spec"]["type"] == "LoadBalancer"
    return len(names)


def main():
    mode, src, out = sys.argv[1:4]
    d = json.load(open(src, encoding="utf-8-sig"))
    text = open(out).read()
    n = check_compose(d, text) if mode == "compose" else check_k8s(d, text)
    print(f"{n} containers round-trip")


if __name__ == "__main__":
    main()
