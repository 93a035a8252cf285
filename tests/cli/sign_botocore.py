#!/usr/bin/env python3
"""Differential test: sign generated requests with `ebctl sign` and with botocore
(the reference implementation) and require the same canonical request, string to
sign, Authorization value or presigned URL, and the same headers in the signed
request, byte for byte. Prints one TAP line per case ("# skip" for the few
where the AWS suites and botocore disagree and ebctl follows the suites, see
conflict()); exits non-zero on any difference or when a run never produced one
of the kinds of request it covers, and crashes (also a failure for sign.sh)
when botocore cannot be imported.
Usage: sign_botocore.py EBCTL [COUNT] [SEED]

botocore is driven the way its own signers run in add_auth(): the request is an
AWSRequest built from a URL, which it keeps as given (nothing encodes the path or
the query on the way in: header signing signs the query as written, presigning
reads it with parse_qs and writes it again), then
_modify_request_before_signing(), canonical_request(), string_to_sign(),
signature() and _inject_signature_to_request(), with the signing time in
request.context where add_auth() puts it. The raw request's header values reach
botocore as an HTTP parser hands them on (field_value())."""
import hashlib, os, random, subprocess, sys
from urllib.parse import quote, urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

EBCTL = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20151)
AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-west-2"
HOST = "example.amazonaws.com"
TS = "20150830T123600Z"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def=="

UNSIGNED = ["Connection", "keep-alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
            "Transfer-Encoding", "Upgrade", "Expect", "User-Agent", "X-Amzn-Trace-Id"]
PATH_CHARS = "abcXYZ019-_.~!$&'()*+,;=:@ "
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


def fragment(presign):
    """Now and then a fragment, which no client sends and botocore leaves out
    of what it signs. Not when presigning: botocore appends X-Amz-Signature to
    the URL it was given, fragment and all, so its URL's query then lacks the
    signature."""
    return "#" + rng.choice(["frag", "a?b=c", ""]) if not presign and rng.random() < 0.05 else ""


def enc(s):
    return quote(s, safe="-_.~")


# Raw query text: reserved characters as they are, escapes upper and lower
# case, malformed ones. Raw bytes outside ASCII come separately (see RAW_UTF8).
QUERY_CHARS = "abAB12-_.~ +/=:@!$'()*,;?[]|^\\\"<>{}`"
ESCAPES = ["%2F", "%2f", "%41", "%20", "%2B", "%3D", "%26", "%25", "%zz", "%", "%E1%88%B4", "%C3%A9"]
# Ill-formed UTF-8 once decoded: parse_qs (presigning) replaces it with U+FFFD.
BAD_UTF8 = ["%FF", "%C3", "%E1%88", "%ED%A0%80", "%F4%90%80%80", "%C0%80", "%E0%80%AF", "%F0%8F", "%00"]


def query_text(n, presign, utf8):
    out = ""
    for _ in range(n):
        r = rng.random()
        if r < 0.15:
            out += rng.choice(ESCAPES)
        elif r < 0.2 and presign:
            out += rng.choice(BAD_UTF8)
        elif r < 0.25 and utf8:
            out += rng.choice(UTF8)
        else:
            out += rng.choice(QUERY_CHARS)
    return out


def gen_query(presign):
    """A query as a user writes it: encoded or raw, empty parts, keys with no
    '=', empty keys and values, repeated keys (presigning keeps the first)."""
    if rng.random() < 0.25:
        return ""
    utf8 = rng.random() < (0.3 if presign else 0.04)
    parts = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.3:
            k = enc("".join(rng.choice("abAB12-_.~ +/=&é") for _ in range(rng.randint(0, 6))))
            v = enc("".join(rng.choice("xyzXYZ09 +/=&*'()é") for _ in range(rng.randint(0, 8))))
        else:
            k = query_text(rng.randint(0, 5), presign, utf8).split("=")[0]
            v = query_text(rng.randint(0, 8), presign, utf8)
        r = rng.random()
        if r < 0.1:
            parts.append(k)  # no '='
        elif r < 0.2:
            parts.append(k + "=")
        elif r < 0.25:
            parts.append("")  # an empty part: "a=1&&b=2"
        else:
            parts.append(k + "=" + v)
        if rng.random() < 0.15:
            parts.append(rng.choice([k, k.upper(), k.lower()]) + "=" + query_text(rng.randint(0, 3), presign, utf8))
    return "&".join(parts)


def gen_headers():
    hs = [("Host", HOST)]
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(["X-Custom", "x-amz-meta-Note", "Content-Type", "My-Header", "X-Amz-Target"])
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
        # botocore folds every run of whitespace str.split() knows, Unicode included
        val = rng.choice(["  padded  ", "a   b\tc", "plain", "", "v1,v2", "x  y  z ", "a\vb\fc", "\x1cx\x1fy",
                          "n\u00a0b\u00a0sp", "\u3000wide\u2028line\u2029", "w\u0085v\u200a", "caf\u00e9 ok",
                          "\u205fm\u202fn\u1680", "cr\rin"])
        hs.append((name, val))
        if rng.random() < 0.2:
            hs.append((name, rng.choice(["again", "  again2 "])))
    if rng.random() < 0.3:
        # headers botocore never signs: hop-by-hop, Expect, User-Agent, tracing
        for _ in range(rng.randint(1, 3)):
            hs.insert(rng.randint(1, len(hs)), (rng.choice(UNSIGNED), rng.choice(["close", "x", " 100-continue "])))
    return hs


class Case:
    """One request and the ebctl flags it is signed with."""

    def __init__(self):
        self.service = rng.choice(["s3", "s3", "s3", "elasticbeanstalk", "sts", "logs", "service"])
        self.s3 = self.service == "s3"
        self.method = rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "get", "Post"])
        self.presign = 0
        if rng.random() < 0.3:
            self.presign = rng.choice([60, 900, 3600, 604800])
            if self.s3 or rng.random() < 0.5:
                self.method = "GET"
        self.path = gen_path()
        self.query = gen_query(bool(self.presign))
        self.fragment = fragment(self.presign)
        self.headers = gen_headers()
        self.body = ""
        if self.method.upper() in ("POST", "PUT", "PATCH") and rng.random() < (0.1 if self.presign else 0.7):
            self.body = "".join(rng.choice("abc =&\n{}\"é") for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.1:
            # the Content-Type botocore gives a Query request; its presigner drops it
            self.headers.insert(rng.randint(1, len(self.headers)),
                                ("Content-Type", rng.choice(["application/x-www-form-urlencoded; charset=utf-8",
                                                             " application/x-www-form-urlencoded; charset=utf-8",
                                                             "application/x-www-form-urlencoded"])))
        self.token = TOKEN if rng.random() < 0.35 else None
        if rng.random() < 0.2:
            # a payload hash the request states itself: S3 replaces it with
            # the one it computes, the other services sign what it says
            for _ in range(rng.choice([1, 1, 2])):
                self.headers.insert(rng.randint(1, len(self.headers)), (
                    rng.choice(["x-amz-content-sha256", "X-Amz-Content-SHA256"]),
                    rng.choice(["UNSIGNED-PAYLOAD", " UNSIGNED-PAYLOAD  ", "\tSTREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                                hashlib.sha256(self.body.encode()).hexdigest(), "e3b0c44298fc1c14"])))
        if rng.random() < 0.2:
            # a request signed before (a retry, a copy): its Authorization and
            # token are replaced when header signing, signed when presigning
            for _ in range(rng.choice([1, 1, 2])):
                self.headers.insert(rng.randint(1, len(self.headers)), rng.choice([
                    ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDOLD/20150829/us-west-2/%s/aws4_request, "
                     "SignedHeaders=host, Signature=%s" % (self.service, "0" * 64)),
                    ("authorization", "Bearer x"),
                    ("X-Amz-Security-Token", "OLD//TOKEN=="),
                    ("x-amz-security-token", " " + TOKEN + " ")]))
        self.time = TS  # the --time argument; None: the request's X-Amz-Date
        r = rng.random()
        if r < 0.25:
            # a request that says when it was made: without --time that is
            # the signing time; with it, header signing replaces the header
            when = rng.choice([TS, "20140101T000000Z", " 20160229T235959Z "])
            self.headers.insert(rng.randint(1, len(self.headers)), (rng.choice(["X-Amz-Date", "x-amz-date"]), when))
            if rng.random() < 0.5:
                self.time = None
        elif r < 0.35:
            # a Date header takes the signing time in X-Amz-Date's place
            self.headers.insert(rng.randint(1, len(self.headers)), ("Date", "Mon, 01 Jan 2001 00:00:00 GMT"))
        self.unsigned = rng.random() < 0.15  # --unsigned-payload
        self.content_sha = not self.s3 and rng.random() < 0.15  # --content-sha256
        self.no_normalize = not self.s3 and rng.random() < 0.15  # --no-normalize

    def raw(self):
        r = "%s %s%s%s HTTP/1.1\n" % (self.method, self.path, "?" + self.query if self.query else "", self.fragment)
        r += "".join("%s:%s\n" % h for h in self.headers)
        if self.body:
            r += "\n" + self.body
        return r

    def args(self):
        a = ["--service", self.service, "--region", REGION]
        if self.time:
            a += ["--time", self.time]
        if self.presign:
            a += ["--presign", str(self.presign)]
        if self.unsigned:
            a.append("--unsigned-payload")
        if self.content_sha:
            a.append("--content-sha256")
        if self.no_normalize:
            a.append("--no-normalize")
        return a

    def describe(self):
        return "%s %s %s%s" % (self.service, self.method, self.path[:40],
                               "".join(" " + a for a in self.args()[4:] if a.startswith("--")) +
                               (" token" if self.token else ""))


def wire_path(path):
    """The path as it goes on the wire: what urllib3 (botocore's HTTP client)
    percent-encodes before sending, for a path whose '%' all start escapes."""
    return quote(path, safe="/!$&'()*+,;=:@%~")


def field_value(v):
    """An HTTP field value: the text after the colon without the optional
    whitespace (SP, HTAB) around it, as any HTTP parser hands it on."""
    return v.strip(" \t")


def botocore_sign(c):
    """(canonical request, string to sign, Authorization or presigned URL, headers)."""
    url = "https://" + HOST + c.path + ("?" + c.query if c.query else "") + c.fragment
    req = AWSRequest(method=c.method, url=url, data=c.body.encode())
    for k, v in c.headers:
        req.headers[k] = field_value(v)
    req.context["timestamp"] = c.time or req.headers["X-Amz-Date"]
    if c.unsigned:
        # how botocore is told not to sign the payload: the S3 client's
        # payload_signing_enabled, the operation's context for the others
        if c.s3:
            req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
        else:
            req.context["payload_signing_enabled"] = False
    if c.content_sha and not c.presign and "X-Amz-Content-SHA256" not in req.headers:
        # --content-sha256: the header a caller adds for a service that wants it
        req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(c.body.encode()).hexdigest()
    creds = Credentials(AK, SK, c.token)
    if c.presign:
        auth = (S3SigV4QueryAuth if c.s3 else SigV4QueryAuth)(creds, c.service, REGION, expires=c.presign)
    else:
        auth = (S3SigV4Auth if c.s3 else SigV4Auth)(creds, c.service, REGION)
    if c.no_normalize:
        # the path encoded but not normalised (the suites' "normalize": false)
        auth._normalize_url_path = lambda path: quote(path, safe="/~")
    auth._modify_request_before_signing(req)
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    auth._inject_signature_to_request(req, auth.signature(sts, req))
    if c.presign:
        u = urlsplit(req.url)
        final = "%s://%s%s?%s" % (u.scheme, u.netloc, wire_path(u.path), u.query)
    else:
        final = req.headers["Authorization"]
    return creq, sts, final, sorted((k.lower(), v) for k, v in req.headers.items())


def ebctl(c, what):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK)
    if c.token:
        env["AWS_SESSION_TOKEN"] = c.token
    p = subprocess.run([EBCTL, "sign"] + c.args() + ["--print", what], input=c.raw().encode(),
                       capture_output=True, env=env)
    if p.returncode:
        return "exit %d: %s" % (p.returncode, p.stderr.decode())
    return p.stdout.decode().rstrip("\n")


def sreq_headers(sreq):
    """The headers of `ebctl sign --print sreq`, as botocore's list."""
    head = sreq.split("\n\n", 1)[0].split("\n")[1:]
    return sorted((k.lower(), field_value(v)) for k, _, v in (h.partition(":") for h in head))


def features(c):
    """What the case exercises: every one must come up in a run."""
    names = [h[0].lower() for h in c.headers]
    f = {"s3" if c.s3 else "another service", "presigned" if c.presign else "header-signed"}
    if c.presign:
        f.add("presigned, S3" if c.s3 else "presigned, another service")
    for flag in ("--unsigned-payload", "--content-sha256", "--no-normalize"):
        if flag in c.args():
            f.add(flag)
    if c.token:
        f.add("a session token")
    if c.body:
        f.add("a body")
    if c.method != c.method.upper():
        f.add("a lower-case method")
    if c.fragment:
        f.add("a fragment")
    for name, label in (("x-amz-content-sha256", "a given x-amz-content-sha256"), ("x-amz-date", "a given X-Amz-Date"),
                        ("date", "a Date header"), ("authorization", "a given Authorization"),
                        ("x-amz-security-token", "a given X-Amz-Security-Token")):
        if name in names:
            f.add(label + (", presigned" if c.presign else ""))
    if "x-amz-date" in names and not c.time:
        f.add("the request's X-Amz-Date as the time")
    if any(n in (u.lower() for u in UNSIGNED) for n in names):
        f.add("a header botocore never signs")
    if len(set(names)) < len(names):
        f.add("a repeated header")
    if any(v != v.strip() for _, v in c.headers):
        f.add("a padded header")
    if ("content-type", "application/x-www-form-urlencoded; charset=utf-8") in \
            [(n.lower(), field_value(v)) for n, v in c.headers] and c.presign and not c.body:
        f.add("a Query request's Content-Type, presigned")
    if "+" in c.path:
        f.add("'+' in the path")
    q = c.query.split("&") if c.query else []
    keys = [p.partition("=")[0] for p in q]
    if any(ch in c.query for ch in " +/:@!$'()*,;?"):
        f.add("raw reserved characters in the query")
    if any(e in c.query for e in ("%2f", "%41", "%zz")):
        f.add("escapes kept as written in the query")
    if "" in keys:
        f.add("an empty query key")
    if len(set(keys)) < len(keys):
        f.add("a repeated query key" + (", presigned" if c.presign else ""))
    if any(b in c.query for b in BAD_UTF8) and c.presign:
        f.add("ill-formed UTF-8 in a presigned query")
    return f


ALL_FEATURES = [
    "s3", "another service", "presigned", "header-signed", "presigned, S3", "presigned, another service",
    "--unsigned-payload", "--content-sha256", "--no-normalize", "a session token", "a body",
    "a lower-case method", "a fragment", "a given x-amz-content-sha256", "a given x-amz-content-sha256, presigned",
    "a given X-Amz-Date", "a given X-Amz-Date, presigned", "the request's X-Amz-Date as the time", "a Date header",
    "a given Authorization", "a given Authorization, presigned", "a given X-Amz-Security-Token",
    "a given X-Amz-Security-Token, presigned", "a header botocore never signs", "a repeated header",
    "a padded header", "a Query request's Content-Type, presigned", "'+' in the path",
    "raw reserved characters in the query", "escapes kept as written in the query", "an empty query key",
    "a repeated query key", "a repeated query key, presigned", "ill-formed UTF-8 in a presigned query",
]


def conflict(c):
    """Why the AWS suites and botocore disagree on this case, or None. ebctl
    follows the suites there (docs/ebctl.1, ebctl sign), so botocore is no
    reference for it."""
    if not c.presign and any(ord(ch) > 127 for ch in c.query):
        # header signing: botocore signs the query as written, raw UTF-8
        # included; the suites' get-vanilla-utf8-query wants %XX
        return "raw non-ASCII in the query of a header-signed request"
    if c.presign and c.body:
        # botocore's presigner moves a body into the query (and fails on one
        # that is not JSON); the aws-c-auth suite's presigned form POSTs keep
        # the body and sign its hash
        return "a presigned request with a body"
    return None


failures = skipped = 0
seen = {}
for i in range(COUNT):
    c = Case()
    for f in features(c):
        seen[f] = seen.get(f, 0) + 1
    why = conflict(c)
    if why:
        skipped += 1
        print("# skip - botocore case %d: %s (%s)" % (i, c.describe(), why))
        continue
    want_creq, want_sts, want_final, want_headers = botocore_sign(c)
    got_creq = ebctl(c, "creq")
    got_sts = ebctl(c, "sts")
    got_final = ebctl(c, "url" if c.presign else "authz")
    got_headers = sreq_headers(ebctl(c, "sreq"))
    problems = []
    if got_creq != want_creq:
        problems.append("canonical request\n--- botocore\n%s\n--- ebctl\n%s" % (want_creq, got_creq))
    if got_sts != want_sts:
        problems.append("string to sign\n--- botocore\n%s\n--- ebctl\n%s" % (want_sts, got_sts))
    if got_final != want_final:
        problems.append("%s\n--- botocore\n%s\n--- ebctl\n%s" %
                        ("presigned URL" if c.presign else "Authorization", want_final, got_final))
    if got_headers != want_headers:
        problems.append("signed request's headers\n--- botocore\n%s\n--- ebctl\n%s" %
                        ("\n".join(map(repr, want_headers)), "\n".join(map(repr, got_headers))))
    if problems:
        failures += 1
        print("not ok - botocore case %d: %s" % (i, c.describe()))
        print("# ebctl sign %s" % " ".join(c.args()))
        print("# raw request: %r" % c.raw())
        for p in problems:
            print("# " + p.replace("\n", "\n# "))
    else:
        print("ok - botocore case %d: %s" % (i, c.describe()))
print("# %d cases, %d differ, %d skipped" % (COUNT, failures, skipped))
for f in sorted(seen):
    print("# %4d %s" % (seen[f], f))
missing = [f for f in ALL_FEATURES if f not in seen]
if missing:
    # a generator that stops producing a kind of request tests nothing about it
    print("not ok - the generated cases never had: %s" % ", ".join(missing))
sys.exit(1 if failures or missing else 0)
