#!/usr/bin/env python3
"""Parse `ebctl render` output back and check it against the Dockerrun file,
and with the outside validators that the targets have.

usage: render_check.py compose|k8s|ecs DOCKERRUN.json RENDERED [--replicas NAME=N]...
       render_check.py --batch <TASKS
  (TASKS: a line per check, its fields separated by tabs: NAME, then the
  arguments above. Each check prints one line, "ok NAME as TARGET: ..." or
  "not ok NAME as TARGET does not check" followed by "#   " lines of why.
  One process pays the imports once for all of them.)

compose: the PyYAML structure (names, images, ports, links, environment
  written with '$$'), then docker-compose's own loader (Debian's
  python3-compose, what `docker-compose config` runs): environment, command,
  entrypoint and labels read back byte for byte, '$' included; and
  `docker-compose config -q` itself, its command-line entry point run in this
  process.
k8s: the structure (Deployments, Services of links on the container port,
  replicas), every object deserialised into the python3-kubernetes models with
  unknown and missing required fields refused, and the name, label, port and
  reference rules the API server enforces.
ecs: botocore's ParamValidator over the RegisterTaskDefinition input shape of
  its ECS model, plus its enums, and the containers round-trip."""
import base64
import contextlib
import json
import re
import sys

import yaml

DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
IANA_SVC = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def k8s_name(s):
    """What ebctl calls a container (DNS-1035, at most 63 characters)."""
    out = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    if not out or out[0].isdigit():
        out = "c-" + out if out else "c"
    if len(out) > 63:
        h = 2166136261
        for b in s.encode():
            h = ((h ^ b) * 16777619) & 0xFFFFFFFF
        out = out[:54].rstrip("-") + "-%08x" % h
    return out.rstrip("-") or "c"


def ports_of(c):
    return [(p.get("hostPort") or 0, p["containerPort"], p.get("protocol") or "tcp")
            for p in c.get("portMappings") or []]


def replicas_arg(args):
    out = {}
    for a in args:
        name, _, n = a.rpartition("=")
        out[name] = int(n)
    return out


# ---- compose ----

def dollars(v):
    return v.replace("$", "$$")


def check_compose(d, path, replicas):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    services = doc["services"]
    names = [c["name"] for c in d["containerDefinitions"]]
    assert list(services) == names, f"services {list(services)} != containers {names}"
    for c in d["containerDefinitions"]:
        s = services[c["name"]]
        assert s["image"] == dollars(c["image"]), (s["image"], c["image"])
        n = replicas.get(c["name"])
        want = [(f"{h}:" if h and not (n and n > 1) else "") + f"{cp}/{pr}" for h, cp, pr in ports_of(c)]
        assert s.get("ports", []) == want, (c["name"], s.get("ports"), want)
        assert s.get("links", []) == (c.get("links") or []), (c["name"], s.get("links"), c.get("links"))
        for link in s.get("links", []):
            assert link.split(":")[0] in services, f"link {link} names no service"
        env = {e["name"]: dollars(e["value"]) for e in c.get("environment") or []}
        assert s.get("environment", {}) == env, (c["name"], s.get("environment"), env)
        if n:
            assert s["deploy"]["replicas"] == n, (c["name"], s.get("deploy"))
        else:
            assert "deploy" not in s, (c["name"], s["deploy"])
    compose_loader(d, path)
    compose_cli(path)
    return len(names)


def compose_cli(path):
    """`docker-compose -f PATH config -q`, by the entry point the
    docker-compose script calls, in the file's directory."""
    import os
    from compose.cli.main import main as compose_main
    argv, cwd = sys.argv, os.getcwd()
    try:
        os.chdir(os.path.dirname(os.path.abspath(path)))
        sys.argv = ["docker-compose", "-f", os.path.basename(path), "config", "-q"]
        try:
            with contextlib.redirect_stdout(sys.stderr):  # stdout is the batch's
                compose_main()
            rc = 0
        except SystemExit as e:
            rc = e.code or 0
    finally:
        sys.argv = argv
        os.chdir(cwd)
    assert rc == 0, f"docker-compose config -q refuses it (exit {rc})"


def compose_loader(d, path):
    """docker-compose's own reading of the file, substitution included."""
    import os
    from compose.config import config
    from compose.config.environment import Environment
    details = config.ConfigDetails(os.path.dirname(os.path.abspath(path)),
                                   [config.ConfigFile.from_filename(path)],
                                   Environment({"HOME": "/nowhere", "PATH": "/bin"}))
    loaded = {s["name"]: s for s in config.load(details).services}
    for c in d["containerDefinitions"]:
        s = loaded[c["name"]]
        env = {e["name"]: e["value"] for e in c.get("environment") or []}
        got = {k: v for k, v in (s.get("environment") or {}).items() if k in env}
        assert got == env, (c["name"], got, env)
        for k, ck in (("command", "command"), ("entryPoint", "entrypoint")):
            if c.get(k) is not None:
                assert s.get(ck) == c[k], (c["name"], k, s.get(ck), c[k])
        if c.get("dockerLabels"):
            assert s.get("labels") == c["dockerLabels"], (c["name"], s.get("labels"))
        if c.get("image"):
            assert s["image"] == c["image"], (s["image"], c["image"])


# ---- kubernetes ----

KINDS = {("apps/v1", "Deployment"): "V1Deployment", ("v1", "Service"): "V1Service",
         ("v1", "ConfigMap"): "V1ConfigMap", ("v1", "Secret"): "V1Secret"}


def model_check(data, klass_name, where):
    """Unknown fields and wrong types, walking the python3-kubernetes models."""
    import kubernetes.client.models as km
    klass = getattr(km, klass_name)
    back = {v: k for k, v in klass.attribute_map.items()}
    assert isinstance(data, dict), f"{where}: not an object"
    for key, val in data.items():
        assert key in back, f"{where}: unknown field '{key}' of {klass_name}"
        type_check(val, klass.openapi_types[back[key]], f"{where}.{key}")


def type_check(val, t, where):
    if val is None:
        return
    if t.startswith("list["):
        assert isinstance(val, list), f"{where}: not a list"
        for i, v in enumerate(val):
            type_check(v, t[5:-1], f"{where}[{i}]")
    elif t.startswith("dict("):
        assert isinstance(val, dict), f"{where}: not a map"
        inner = t[5:-1].split(", ", 1)[1]
        for k, v in val.items():
            assert isinstance(k, str), f"{where}: key {k!r}"
            type_check(v, inner, f"{where}.{k}")
    elif t == "str":
        assert isinstance(val, str), f"{where}: {val!r} is not a string"
    elif t == "int":
        assert isinstance(val, int) and not isinstance(val, bool), f"{where}: {val!r} is not an integer"
    elif t == "bool":
        assert isinstance(val, bool), f"{where}: {val!r} is not a boolean"
    elif t == "object":
        pass
    else:
        model_check(val, t, where)


def required_check(doc, klass_name):
    """Missing required fields: the models refuse them when deserialised."""
    import kubernetes.client as kc
    api = kc.ApiClient()
    api._ApiClient__deserialize(doc, klass_name)


def api_rules(docs):
    """What the API server would refuse that the schema lets through."""
    seen = set()
    for x in docs:
        kind, name = x["kind"], x["metadata"]["name"]
        assert (kind, name) not in seen, f"two {kind}s called {name}: the second replaces the first"
        seen.add((kind, name))
        rule = DNS1035 if kind == "Service" else DNS1123_SUB
        assert rule.match(name) and len(name) <= (63 if kind == "Service" else 253), f"{kind} name {name!r}"
        for k, v in (x["metadata"].get("labels") or {}).items():
            assert QUALIFIED.match(k) and LABEL_VALUE.match(v) and len(v) <= 63, f"label {k}={v!r}"
        if kind == "Deployment":
            spec = x["spec"]
            assert spec["replicas"] >= 0
            tmpl = spec["template"]
            labels = tmpl["metadata"]["labels"]
            for k, v in spec["selector"]["matchLabels"].items():
                assert labels.get(k) == v, f"{name}: selector {k}={v} does not match the template"
            for k in (tmpl["metadata"].get("annotations") or {}):
                pre, _, base = k.rpartition("/")
                assert QUALIFIED.match(base) and len(base) <= 63 and (not pre or DNS1123_SUB.match(pre)), f"annotation {k!r}"
            pod = tmpl["spec"]
            vols = [v["name"] for v in pod.get("volumes") or []]
            assert len(vols) == len(set(vols)), f"{name}: volumes {vols}"
            for v in vols:
                assert DNS1123_LABEL.match(v) and len(v) <= 63, f"volume name {v!r}"
            cnames = [c["name"] for c in pod["containers"]]
            assert len(cnames) == len(set(cnames)), f"{name}: containers {cnames}"
            for c in pod["containers"]:
                assert DNS1123_LABEL.match(c["name"]) and len(c["name"]) <= 63, f"container name {c['name']!r}"
                pp = [(p["containerPort"], p.get("protocol", "TCP")) for p in c.get("ports") or []]
                assert len(pp) == len(set(pp)), f"{c['name']}: ports {pp}"
                assert all(1 <= p <= 65535 for p, _ in pp), pp
                paths = [m["mountPath"] for m in c.get("volumeMounts") or []]
                assert len(paths) == len(set(paths)), f"{c['name']}: mount paths {paths}"
                for m in c.get("volumeMounts") or []:
                    assert m["name"] in vols, f"{c['name']}: mount of no volume {m['name']}"
                probe = c.get("livenessProbe")
                if probe:
                    assert probe["exec"]["command"], f"{c['name']}: empty probe"
        elif kind == "Service":
            ports = x["spec"].get("ports") or []
            pn = [p.get("name") for p in ports]
            if len(ports) > 1:
                assert all(pn) and len(pn) == len(set(pn)), f"{name}: port names {pn}"
            for p in ports:
                n = p.get("name")
                assert not n or (len(n) <= 15 and IANA_SVC.match(n) and "--" not in n and re.search("[a-z]", n)), f"port name {n!r}"
                assert 1 <= p["port"] <= 65535
            pp = [(p["port"], p.get("protocol", "TCP")) for p in ports]
            assert len(pp) == len(set(pp)), f"{name}: ports {pp}"
        elif kind in ("ConfigMap", "Secret"):
            for k, v in (x.get("data") or {}).items():
                assert CONFIG_KEY.match(k), f"{kind} key {k!r}"
                if kind == "Secret":
                    base64.b64decode(v, validate=True)


def check_k8s(d, path, replicas):
    docs = [x for x in yaml.safe_load_all(open(path, encoding="utf-8")) if x]
    for i, x in enumerate(docs):
        klass = KINDS[(x["apiVersion"], x["kind"])]
        model_check(x, klass, f"document {i + 1} ({x['kind']})")
        required_check(x, klass)
    api_rules(docs)
    deps = {x["metadata"]["name"]: x for x in docs if x["kind"] == "Deployment"}
    svcs = {x["metadata"]["name"]: x for x in docs if x["kind"] == "Service"}
    # every container runs in exactly one Deployment
    where = {}
    for dn, dep in deps.items():
        for ct in dep["spec"]["template"]["spec"]["containers"]:
            assert ct["name"] not in where, f"container {ct['name']} in two Deployments"
            where[ct["name"]] = (dn, ct)
    names = [k8s_name(c["name"]) for c in d["containerDefinitions"]]
    assert sorted(where) == sorted(names), f"containers {sorted(where)} != {sorted(names)}"
    for c in d["containerDefinitions"]:
        n = k8s_name(c["name"])
        dn, ct = where[n]
        spec = deps[dn]["spec"]
        assert spec["selector"]["matchLabels"] == {"app": dn}
        assert spec["template"]["metadata"]["labels"] == {"app": dn}
        want = replicas.get(c["name"])
        if want:
            assert spec["replicas"] == want, (c["name"], spec["replicas"], want)
        elif not any(replicas.get(o["name"]) for o in d["containerDefinitions"]
                     if where[k8s_name(o["name"])][0] == dn):
            assert spec["replicas"] == 1, (c["name"], spec["replicas"])
        if c.get("volumesFrom"):
            for vf in c["volumesFrom"]:
                assert where[k8s_name(vf["sourceContainer"])][0] == dn, f"{c['name']} and its volumesFrom {vf['sourceContainer']} in different Pods"
        assert ct["image"] == c["image"], (ct["image"], c["image"])
        # Kubernetes expands $(NAME) in env values, command and args: $$ is $
        env = {e["name"]: dollars(e["value"]) for e in c.get("environment") or []}
        assert {e["name"]: e["value"] for e in ct.get("env") or []} == env, (n, ct.get("env"))
        for k, ck in (("command", "args"), ("entryPoint", "command")):
            if c.get(k) is not None:
                assert ct.get(ck) == [dollars(a) for a in c[k]], (n, ck, ct.get(ck))
        got = [(p["containerPort"], p["protocol"].lower()) for p in ct.get("ports", [])]
        assert got == [(cp, pr) for _, cp, pr in ports_of(c)], (n, got)
        if c.get("memory"):
            assert ct["resources"]["limits"]["memory"] == f"{c['memory']}Mi"
        for link in c.get("links") or []:
            target, _, alias = link.partition(":")
            tdef = next(x for x in d["containerDefinitions"] if x["name"] == target)
            for host in {target, alias or target}:
                svc = svcs.get(k8s_name(host))
                assert svc, f"link {link} of {c['name']}: no Service '{k8s_name(host)}'"
                assert svc["spec"]["selector"] == {"app": where[k8s_name(target)][0]}, (link, svc["spec"]["selector"])
                # a link reached the container port, whatever the host port
                listening = {p["port"]: p["targetPort"] for p in svc["spec"].get("ports") or []}
                for _, cp, _ in ports_of(tdef):
                    assert listening.get(cp) == cp, f"link {link}: Service {k8s_name(host)} does not listen on {cp}: {listening}"
        if ports_of(c):
            svc = svcs[n]
            assert [p["targetPort"] for p in svc["spec"]["ports"]][:len(ports_of(c))] == [cp for _, cp, _ in ports_of(c)]
            if any(h == 80 for h, _, _ in ports_of(c)):
                assert svc["spec"]["type"] == "LoadBalancer"
                assert 80 in [p["port"] for p in svc["spec"]["ports"]], "the load balancer's port 80"
    return len(names)


# ---- ecs ----

def check_ecs(d, path, replicas):
    import botocore.session
    from botocore.validate import ParamValidator
    td = json.load(open(path, encoding="utf-8"))
    shape = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(td, shape)
    assert not report.has_errors(), report.generate_report()
    enums(td, shape, "input")
    assert td["networkMode"] == "bridge" and td["requiresCompatibilities"] == ["EC2"]
    defs = td["containerDefinitions"]
    assert [c["name"] for c in defs] == [c["name"] for c in d["containerDefinitions"]]
    vols = {v["name"] for v in td.get("volumes") or []}
    for c, e in zip(d["containerDefinitions"], defs):
        for k in ("image", "memory", "memoryReservation", "links", "command", "entryPoint", "environment", "essential"):
            if k in c and c[k] is not None:
                assert e.get(k) == c[k], (c["name"], k, e.get(k), c[k])
        assert ports_of(c) == ports_of(e), (c["name"], ports_of(e))
        for m in e.get("mountPoints") or []:
            assert m["sourceVolume"] in vols, f"{c['name']}: mount of no volume {m['sourceVolume']}"
    return len(defs)


def enums(v, shape, where):
    if v is None:
        return
    if shape.type_name == "structure":
        for k, sub in v.items():
            enums(sub, shape.members[k], f"{where}.{k}")
    elif shape.type_name == "list":
        for i, sub in enumerate(v):
            enums(sub, shape.member, f"{where}[{i}]")
    elif shape.type_name == "string" and shape.enum:
        assert v in shape.enum, f"{where}: {v!r} is not one of {shape.enum}"


def check(mode, src, out, rest):
    replicas = replicas_arg(rest[i + 1] for i in range(0, len(rest), 2) if rest[i] == "--replicas")
    d = json.load(open(src, encoding="utf-8-sig"))
    n = {"compose": check_compose, "k8s": check_k8s, "ecs": check_ecs}[mode](d, out, replicas)
    return f"{n} containers round-trip"


def batch():
    import traceback
    for line in sys.stdin:
        name, mode, src, out, *rest = line.rstrip("\n").split("\t")
        try:
            msg = check(mode, src, out, rest)
        except Exception:  # any failure is this check's, not the batch's
            print(f"not ok {name} as {mode} does not check")
            for why in traceback.format_exc().splitlines()[-5:]:
                print(f"#   {why}")
        else:
            print(f"ok {name} as {mode}: {msg}")
        sys.stdout.flush()


def main():
    if sys.argv[1:] == ["--batch"]:
        batch()
        return
    print(check(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))


if __name__ == "__main__":
    main()
