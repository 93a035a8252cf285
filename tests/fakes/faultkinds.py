"""The fault kinds of the tests, written once for their three injectors.

tests/fakes/faulty_server.py (a fake AWS that misbehaves on a script),
tests/integration/faultproxy.py (a proxy in front of the sandbox) and
tests/sandbox/faults.py (the sandbox's own faults, drawn at random) all take
their faults from here: the names and their validation, the sandbox's spec
grammar (`kind=P,...`) and its seeded draw, how a request is named and which
protocol it speaks, and the answer of each fault in that protocol (Query XML,
S3 XML, JSON). What differs between the three is only when a fault is chosen
(a script, a rule, a draw) and how the server around it sends bytes.
"""
import calendar
import email.utils
import json
import random
import re
import socket
import struct
import time
import urllib.parse
import uuid

# Faults answered with an AWS error, by protocol: (status, code, message).
# "s3", "query" and "json" are the protocols; a missing one takes "query".
ERRORS = {
    "throttle": {"s3": (503, "SlowDown", "Please reduce your request rate."),
                 "query": (400, "Throttling", "Rate exceeded"),
                 "json": (400, "ThrottlingException", "Rate exceeded")},
    "slowdown": {"s3": (503, "SlowDown", "Please reduce your request rate."),
                 "query": (503, "SlowDown", "Please reduce your request rate."),
                 "json": (503, "SlowDown", "Please reduce your request rate.")},
    "error500": {"s3": (500, "InternalError", "We encountered an internal error. Please try again."),
                 "query": (500, "InternalFailure", "The request processing has failed because of an unknown error, "
                           "exception or failure."),
                 "json": (500, "InternalFailure", "The request processing has failed because of an unknown error, "
                          "exception or failure.")},
    "expired": {"s3": (400, "ExpiredToken", "The security token included in the request is expired"),
                "query": (400, "ExpiredToken", "The security token included in the request is expired"),
                "json": (400, "ExpiredTokenException", "The security token included in the request is expired")},
    "denied": {"query": (403, "AccessDenied", "User is not authorized"),
               "json": (400, "AccessDeniedException", "User is not authorized")},
    "skewed": {"s3": (403, "RequestTimeTooSkewed",
                      "The difference between the request time and the current time is too large."),
               "query": (403, "RequestTimeTooSkewed",
                         "The difference between the request time and the current time is too large.")},
}
# HTTP statuses as faults of their own: that status with InternalError.
STATUSES = ("500", "502", "503", "504")
# Faults of the connection or of the bytes, not of the answer.
TRANSPORT = {
    "drop": "the request is read, the connection closed without an answer",
    "reset": "the connection is reset (RST) without an answer",
    "lose": "the request is applied, the connection closed without an answer",
    "hang": "the request is read, nothing said for a while, the connection closed",
    "slow": "the request is applied, the answer held back",
    "truncate": "the request is applied, the answer cut short and the connection closed",
    "drip": "the request is applied, the answer sent a byte at a time",
    "corrupt": "one byte in the middle of the request body is flipped on the way",
}

# The sandbox's spec grammar: probabilities drawn in this order per request.
PROBABILITIES = ("reset", "error500", "throttle", "slowdown", "slow", "truncate")
MAX_SKEW = 900  # seconds a signed request's time may differ from the server's clock


def check_kind(kind, known):
    """kind when it is one of known, else ValueError naming what is."""
    if kind not in known:
        raise ValueError(f"unknown fault '{kind}' (known: {', '.join(known)})")
    return kind


def parse_spec(text):
    """`throttle=0.2,error500=0.1,...` -> dict; raises ValueError on bad input."""
    spec = {k: 0.0 for k in PROBABILITIES}
    spec.update({"skew": 0.0, "seed": None, "delay": 30.0, "only": [], "ebrate": 0.0})
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if not eq:
            raise ValueError(f"'{item}' is not key=value")
        if key in PROBABILITIES:
            try:
                p = float(value)
            except ValueError:
                raise ValueError(f"'{key}' wants a probability, got '{value}'")
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"'{key}' wants a probability between 0 and 1, got '{value}'")
            spec[key] = p
        elif key == "ebrate":
            try:
                spec[key] = float(value)
            except ValueError:
                raise ValueError(f"'ebrate' wants a scale of Elastic Beanstalk's rates (1: as EB), got '{value}'")
            if spec[key] < 0:
                raise ValueError("'ebrate' must not be negative")
        elif key in ("skew", "delay"):
            try:
                spec[key] = float(value)
            except ValueError:
                raise ValueError(f"'{key}' wants seconds, got '{value}'")
            if key == "delay" and spec[key] < 0:
                raise ValueError("'delay' must not be negative")
        elif key == "seed":
            try:
                spec["seed"] = int(value)
            except ValueError:
                raise ValueError(f"'seed' wants an integer, got '{value}'")
        elif key == "only":
            spec["only"] = [s.strip() for s in value.split("|") if s.strip()]
        else:
            raise ValueError(f"unknown fault '{key}' (known: {', '.join(PROBABILITIES)}, skew, delay, seed, only, "
                             "ebrate)")
    return spec


class Draw:
    """The seeded draw of a spec: one number per kind of PROBABILITIES per
    request, the first below its probability wins, so the same sequence of
    requests meets the same faults."""

    def __init__(self, spec):
        self.spec = spec
        self.rng = random.Random(spec["seed"])

    def next(self):
        rolls = [self.rng.random() for _ in PROBABILITIES]
        for kind, roll in zip(PROBABILITIES, rolls):
            if roll < self.spec[kind]:
                return kind
        return None


def s3_action(method, path, query, copy_source=False):
    """The S3 operation of a request; query: parse_qs of its query string."""
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0]
    key = parts[1] if len(parts) > 1 else ""
    if not bucket:
        return "ListBuckets"
    if not key:
        if method == "GET":
            if "uploads" in query:
                return "ListMultipartUploads"
            if "location" in query:
                return "GetBucketLocation"
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket",
                "POST": "DeleteObjects"}.get(method, method)
    if method == "PUT":
        if "uploadId" in query or "partNumber" in query:
            return "UploadPartCopy" if copy_source else "UploadPart"
        return "CopyObject" if copy_source else "PutObject"
    if method == "POST":
        return "CreateMultipartUpload" if "uploads" in query else "CompleteMultipartUpload"
    if method == "GET":
        return "ListParts" if "uploadId" in query else "GetObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    return "HeadObject" if method == "HEAD" else method


def protocol_of(target, action):
    """The protocol of a request: "json" with an X-Amz-Target, "query" with a
    form Action, "s3" otherwise."""
    if target:
        return "json"
    return "query" if action else "s3"


def form_action(body):
    """The Action of a Query request's form body (bytes or str), or None."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return (urllib.parse.parse_qs(body or "").get("Action") or [None])[0]


def credential_service(authorization):
    """The service of a SigV4 Authorization header's credential scope, or None."""
    m = re.search(r"Credential=[^/,]+/\d{8}/[^/]+/([^/]+)/", authorization or "")
    return m.group(1) if m else None


def error_response(protocol, status, code, message, extra=None, request_id=None):
    """(status, body, headers) of an AWS error in the protocol's shape."""
    rid = request_id or str(uuid.uuid4())
    if protocol == "s3":
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in (extra or {}).items())
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f"{fields}<RequestId>{rid}</RequestId><HostId>{rid}</HostId></Error>")
        ctype = "application/xml"
    elif protocol == "json":
        body = json.dumps({"__type": code, "message": message})
        ctype = "application/x-amz-json-1.1"
    else:
        kind = "Receiver" if status >= 500 else "Sender"
        body = (f'<ErrorResponse xmlns="https://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error>'
                f"<Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>")
        ctype = "text/xml"
    return status, body.encode(), [("Content-Type", ctype), ("x-amzn-RequestId", rid)]


def answer(kind, protocol, request_id=None):
    """(status, body, headers) of an error fault (ERRORS, STATUSES) in the protocol."""
    if kind in STATUSES:
        return error_response(protocol, int(kind), "InternalError", "We encountered an internal error.",
                              request_id=request_id)
    shapes = ERRORS[kind]
    status, code, message = shapes.get(protocol) or shapes["query"]
    return error_response(protocol if protocol in shapes else "query", status, code, message,
                          request_id=request_id)


def signing_time(authorization, amz_date, date):
    """(epoch, stamp) of a header-signed request (X-Amz-Date, else Date), or None."""
    if not (authorization or "").startswith("AWS4-HMAC-SHA256"):
        return None
    if amz_date:
        try:
            return calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")), amz_date
        except ValueError:
            return None
    if date:
        parsed = email.utils.parsedate_tz(date)
        if parsed:
            return email.utils.mktime_tz(parsed), date
    return None


def skew_response(protocol, sent, stamp, server_now, request_id=None):
    """AWS's refusal of a request signed more than MAX_SKEW from server_now."""
    fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))  # noqa: E731
    if protocol == "s3":
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        return error_response(protocol, 403, "RequestTimeTooSkewed",
                              "The difference between the request time and the current time is too large.",
                              {"RequestTime": stamp, "ServerTime": iso(server_now),
                               "MaxAllowedSkewMilliseconds": MAX_SKEW * 1000}, request_id)
    if sent < server_now:
        msg = (f"Signature expired: {fmt(sent)} is now earlier than {fmt(server_now - MAX_SKEW)} "
               f"({fmt(server_now)} - 15 min.)")
    else:
        msg = (f"Signature not yet current: {fmt(sent)} is still later than {fmt(server_now + MAX_SKEW)} "
               f"({fmt(server_now)} + 15 min.)")
    return error_response(protocol, 400 if protocol == "query" else 403,
                          "InvalidSignatureException" if protocol == "json" else "SignatureDoesNotMatch", msg,
                          request_id=request_id)


def close(sock, reset=False):
    """End a connection without an answer: a FIN (drop, lose), or an RST (reset)."""
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def corrupt(body):
    """body with its middle byte flipped (empty stays empty)."""
    if not body:
        return body
    mid = len(body) // 2
    return body[:mid] + bytes([body[mid] ^ 0x5A]) + body[mid + 1:]
