#!/usr/bin/env python3
"""Differential test: sign generated requests with `ebctl sign` and with botocore
(the reference implementation) and require identical canonical requests, strings to
sign and signatures. Prints one TAP line per request.
Usage: sign_botocore.py EBCTL [COUNT] [SEED]"""
import os, random, subprocess, sys
from urllib.parse import quote

from botocore.auth import SigV4Auth, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EBCTL = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20151)
AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TS = "20150830T123600Z"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def=="

PATH_CHARS = "abcXYZ019-_.~!$&'()*,;=:@ "
UTF8 = ["é", "ሴ", "日本", "ü"]

def odd_segment():
    kind = rng.random()
    if kind < 0.1:
        return rng.choice([".", "..", ""])
    s = "".join(rng.choice(PATH_CHARS) for _ in range(rng.randint(1, 8)))
    if rng.random() < 0.2:
        s += rng.choice(UTF8)
    if rng.random() < 0.15:
        s += "%2F" if rng.random() < 0.5 else "%20"
    return s

def gen_path():
    segs = [odd_segment() for _ in range(rng.randint(0, 4))]
    p = "/" + "/".join(segs)
    if rng.random() < 0.2:
        p += "/"
    return p

def enc(s):
    return quote(s, safe="-_.~")

def gen_query(unique):
    parts, keys = [], set()
    for _ in range(rng.randint(0, 5)):
        k = "".join(rng.choice("abAB12-_.~ +/=&é") for _ in range(rng.randint(0, 6)))
        if unique and (k in keys or not k):
            continue
        keys.add(k)
        r = rng.random()
        if r < 0.15 and not unique:
            parts.append(enc(k))  # no '='
        elif r < 0.3:
            parts.append(enc(k) + "=")
        else:
            v = "".join(rng.choice("xyzXYZ09 +/=&*'()é") for _ in range(rng.randint(0, 8)))
            parts.append(enc(k) + "=" + enc(v))
        if not unique and rng.random() < 0.2:
            parts.append(parts[-1])  # a repeated key
    return "&".join(parts)

def gen_headers():
    hs = [("Host", "example.amazonaws.com")]
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(["X-Custom", "x-amz-meta-Note", "Content-Type", "My-Header", "X-Amz-Target"])
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
        val = rng.choice(["  padded  ", "a   b\tc", "plain", "", "v1,v2", "x  y  z "])
        hs.append((name, val))
        if rng.random() < 0.2:
            hs.append((name, rng.choice(["again", "  again2 "])))
    return hs

def ebctl(raw, service, extra, token, what):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    p = subprocess.run([EBCTL, "sign", "--service", service, "--region", "us-west-2", "--time", TS,
                        "--print", what] + extra, input=raw.encode(), capture_output=True, env=env)
    if p.returncode:
        return "exit %d: %s" % (p.returncode, p.stderr.decode())
    return p.stdout.decode().rstrip("\n")

def botocore_sign(method, path, query, headers, body, service, token, presign):
    url = "http://example.amazonaws.com" + path + ("?" + query if query else "")
    req = AWSRequest(method=method, url=url, data=body)
    for k, v in headers:
        if k.lower() != "host":
            req.headers[k] = v
    req.headers["Host"] = "example.amazonaws.com"
    req.context["timestamp"] = TS
    creds = Credentials(AK, SK, token)
    if presign:
        auth = S3SigV4QueryAuth(creds, service, "us-west-2", expires=presign)
    elif service == "s3":
        auth = S3SigV4Auth(creds, service, "us-west-2")
    else:
        auth = SigV4Auth(creds, service, "us-west-2")
    auth._modify_request_before_signing(req)
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    return creq, sts, auth.signature(sts, req)

failures = 0
for i in range(COUNT):
    presign = 0
    service = rng.choice(["s3", "elasticbeanstalk", "sts", "logs", "service"])
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD"])
    if service == "s3" and rng.random() < 0.25:
        presign, method = rng.choice([60, 900, 3600]), "GET"
    path = gen_path()
    query = gen_query(unique=bool(presign))
    headers = gen_headers()
    body = ""
    if method in ("POST", "PUT") and rng.random() < 0.7:
        body = "".join(rng.choice("abc =&\n{}\"é") for _ in range(rng.randint(1, 40)))
    token = TOKEN if rng.random() < 0.35 else None
    if service == "s3" and not presign:
        # botocore's S3 signer always adds x-amz-content-sha256 itself
        headers = [h for h in headers if h[0].lower() != "x-amz-content-sha256"]
    raw = "%s %s%s HTTP/1.1\n" % (method, path, "?" + query if query else "")
    raw += "".join("%s:%s\n" % h for h in headers)
    if body:
        raw += "\n" + body
    extra = ["--presign", str(presign)] if presign else []
    want_creq, want_sts, want_sig = botocore_sign(method, path, query, headers, body.encode(), service, token, presign)
    got_creq = ebctl(raw, service, extra, token, "creq")
    got_sts = ebctl(raw, service, extra, token, "sts")
    got_final = ebctl(raw, service, extra, token, "url" if presign else "authz")
    desc = "%s %s %s%s%s" % (service, method, path[:40], " presign" if presign else "", " token" if token else "")
    problems = []
    if got_creq != want_creq:
        problems.append("canonical request\n--- botocore\n%s\n--- ebctl\n%s" % (want_creq, got_creq))
    if got_sts != want_sts:
        problems.append("string to sign")
    if ("Signature=" + want_sig) not in got_final:
        problems.append("signature %s not in %s" % (want_sig, got_final[-100:]))
    if problems:
        failures += 1
        print("not ok - botocore case %d: %s" % (i, desc))
        print("# raw request: %r" % raw)
        for p in problems:
            print("# " + p.replace("\n", "\n# "))
    else:
        print("ok - botocore case %d: %s" % (i, desc))
sys.exit(1 if failures else 0)
