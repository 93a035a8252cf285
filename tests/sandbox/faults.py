"""Fault injection, the request clock, and the loopback control endpoint.

A WSGI middleware in front of moto. Per request (once armed, and only for the
requests `only=` selects) it draws one number per fault kind from a seeded
generator, so the same sequence of requests meets the same faults. The fault
kinds, the spec grammar, the draw and the answers are tests/fakes/faultkinds.py,
which the fault proxy and the faulty server share."""
import io
import json
import os
import sys
import threading
import time
import urllib.parse
from urllib.parse import parse_qs

import checksums
import presigned

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import faultkinds  # noqa: E402
from faultkinds import MAX_SKEW, error_response, parse_spec  # noqa: E402,F401

from moto import settings as moto_settings  # noqa: E402

SERVICE_BY_VERSION = {"2010-12-01": "elasticbeanstalk", "2010-05-08": "iam", "2011-06-15": "sts"}
SERVICE_ALIASES = {"eb": "elasticbeanstalk", "cloudwatchlogs": "logs"}

# Elastic Beanstalk's throttling (ebrate=SCALE): a token bucket per family of
# actions, per account, as the service keeps them (DescribeEvents and
# DescribeEnvironments share one). AWS publishes no figures; these are the
# rates of its Query APIs' defaults, reads above changes: (rate per second, burst).
EB_BUCKETS = {"read": (5.0, 10.0), "change": (2.0, 10.0)}
EB_READ_PREFIXES = ("Describe", "List", "Check", "Retrieve", "Validate")


def eb_family(action):
    return "read" if (action or "").startswith(EB_READ_PREFIXES) else "change"


class FaultInjector:
    def __init__(self, spec):
        self.lock = threading.Lock()
        self.armed = False
        self.set(spec)

    def set(self, spec):
        with self.lock:
            self.spec = spec
            self.rolls = faultkinds.Draw(spec)
            self.matched = 0
            self.log = []
            self.buckets = {}  # family -> [tokens, last refill]
            self.throttled = 0

    def describe(self):
        with self.lock:
            return {"spec": self.spec, "armed": self.armed, "matched_requests": self.matched,
                    "injected": list(self.log), "rate_throttled": self.throttled}

    def over_rate(self, service, action):
        """Whether this Elastic Beanstalk call finds its family's bucket empty (ebrate)."""
        with self.lock:
            scale = self.spec["ebrate"]
            if not self.armed or scale <= 0 or service != "elasticbeanstalk":
                return False
            family = eb_family(action)
            rate, burst = EB_BUCKETS[family]
            rate, burst = rate * scale, max(1.0, burst * scale)
            now = time.monotonic()
            tokens, last = self.buckets.get(family, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1.0:
                self.buckets[family] = (tokens, now)
                self.throttled += 1
                if len(self.log) < 10000:
                    self.log.append({"n": self.matched, "service": service, "action": action, "fault": "ebrate"})
                return True
            self.buckets[family] = (tokens - 1.0, now)
            return False

    def selects(self, service, action):
        only = self.spec["only"]
        if not only:
            return True
        names = {service.lower(), (action or "").lower()}
        return any(SERVICE_ALIASES.get(o.lower(), o.lower()) in names for o in only)

    def draw(self, service, action):
        """The fault for this request: None or one of PROBABILITIES."""
        with self.lock:
            if not self.armed or not self.selects(service, action):
                return None
            self.matched += 1
            kind = self.rolls.next()
            if kind and len(self.log) < 10000:
                self.log.append({"n": self.matched, "service": service, "action": action, "fault": kind})
            return kind


def read_form(environ):
    """The form body of a query-protocol request, left readable for moto."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    try:
        n = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    body = environ["wsgi.input"].read(n) if n else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))


def classify(environ):
    """(service, action, protocol) of a request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    target = environ.get("HTTP_X_AMZ_TARGET")
    form = read_form(environ)
    service = faultkinds.credential_service(auth)
    if service is None and "X-Amz-Credential" in qs:
        bits = qs["X-Amz-Credential"][0].split("/")
        service = bits[3] if len(bits) > 3 else None
    elif service is None and "AWSAccessKeyId" in qs:
        service = "s3"
    action = (form.get("Action") or [None])[0] or (target.split(".")[-1] if target else None)
    if service is None:
        version = (form.get("Version") or [None])[0]
        service = SERVICE_BY_VERSION.get(version) if action else "s3"
        service = service or "unknown"
    if service == "s3":
        return service, faultkinds.s3_action(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                                             qs, "HTTP_X_AMZ_COPY_SOURCE" in environ), "s3"
    return service, action, faultkinds.protocol_of(target, True)


def request_time(environ):
    """The signing time of a header-signed request, or None."""
    return faultkinds.signing_time(environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_X_AMZ_DATE"),
                                   environ.get("HTTP_DATE"))


def drop(environ):
    """Reset the client's connection: no response at all."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        faultkinds.close(sock, reset=True)


# STS actions AWS takes unsigned: the token in them is the proof.
UNSIGNED_STS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")


def unsigned_sts(environ):
    """Whether an unsigned request is one of UNSIGNED_STS. The form body is
    read and put back for moto."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    body = b""
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0
        if 0 < n <= 65536:
            body = environ["wsgi.input"].read(n)
            environ["wsgi.input"] = io.BytesIO(body)
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    action = (form.get("Action") or query.get("Action") or [""])[0]
    return action in UNSIGNED_STS


def discard_body(environ):
    try:
        n = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    stream = environ["wsgi.input"]
    while n > 0:
        chunk = stream.read(min(n, 65536))
        if not chunk:
            break
        n -= len(chunk)


class Middleware:
    def __init__(self, app, injector, state, advance):
        self.app = app
        self.faults = injector
        self.state = state
        self.advance = advance
        # Every request as (time, service, action): the call-rate tests read it.
        self.calls = []
        self.calls_lock = threading.Lock()
        self.checksums = checksums.Checker()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sandbox/"):
            return self.control(environ, start_response, path)
        self.advance()
        server_now = time.time() + self.faults.spec["skew"]

        def dated(status, headers, exc_info=None):
            # The server writes the Date header (skewed, see server.QuietHandler).
            headers = [(k, v) for k, v in headers if k.lower() != "date"]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        service, action, protocol = classify(environ)
        with self.calls_lock:
            if len(self.calls) < 200000:
                self.calls.append((time.time(), service, action))
        kind = self.faults.draw(service, action)
        if kind is None and self.faults.over_rate(service, action):
            kind = "throttle"
        if kind == "reset":
            drop(environ)
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if kind == "slow":
            time.sleep(self.faults.spec["delay"])
        if kind in ("throttle", "slowdown", "error500"):
            discard_body(environ)
            return self.respond(dated, *faultkinds.answer(kind, protocol))
        sent = request_time(environ)
        if sent is not None and abs(sent[0] - server_now) > MAX_SKEW:
            discard_body(environ)
            return self.respond(dated, *faultkinds.skew_response(protocol, sent[0], sent[1], server_now))
        if kind == "truncate":
            return self.truncated(environ, dated, protocol, server_now, action)
        return self.dispatch(environ, dated, protocol, server_now, action)

    def dispatch(self, environ, start_response, protocol, server_now, action=None):
        if presigned.is_presigned(environ):
            return presigned.serve(environ, start_response, server_now)
        if (moto_settings.INITIAL_NO_AUTH_ACTION_COUNT == 0 and not environ.get("HTTP_AUTHORIZATION")
                and not unsigned_sts(environ)):
            # moto fails with a 500 on an unsigned request once auth is on; AWS refuses it.
            discard_body(environ)
            if protocol == "s3":
                return self.respond(start_response, *error_response(protocol, 403, "AccessDenied", "Access Denied"))
            return self.respond(start_response, *error_response(
                protocol, 403, "MissingAuthenticationToken", "Request is missing Authentication Token"))
        if protocol == "s3":
            # the bytes received checked as S3 checks them (tests/sandbox/checksums.py)
            bad = self.checksums.check(environ, action)
            if bad:
                status, code, message, extra = bad
                return self.respond(start_response, *error_response(protocol, status, code, message, extra))
            if action == "CompleteMultipartUpload":
                return self.completed(environ, start_response)
        return self.app(environ, start_response)

    def completed(self, environ, start_response):
        """CompleteMultipartUpload through moto, its answer given the object's checksum."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        body = self.checksums.fix_complete(environ, body)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def respond(start_response, status, body, headers):
        reasons = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
        start_response(f"{status} {reasons.get(status, 'Error')}", headers + [("Content-Length", str(len(body)))])
        return [body]

    def truncated(self, environ, start_response, protocol, server_now, action=None):
        """Send the headers and half the body, then drop the connection."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        result = self.dispatch(environ, capture, protocol, server_now, action)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(body)))])

        def parts():
            yield body[: len(body) // 2]
            drop(environ)

        return parts()

    def control(self, environ, start_response, path):
        if environ.get("REMOTE_ADDR") not in ("127.0.0.1", "::1"):
            return self.json(start_response, 403, {"error": "the control endpoint is loopback only"})
        method = environ.get("REQUEST_METHOD")
        if path == "/_sandbox/state" and method == "GET":
            return self.json(start_response, 200, self.state())
        if path == "/_sandbox/calls" and method == "GET":
            with self.calls_lock:
                calls = list(self.calls)
            return self.json(start_response, 200, {"calls": [list(c) for c in calls]})
        if path == "/_sandbox/faults" and method == "GET":
            return self.json(start_response, 200, self.faults.describe())
        if path == "/_sandbox/faults" and method == "POST":
            try:
                n = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                n = 0
            raw = environ["wsgi.input"].read(n).decode("utf-8", "replace") if n else ""
            try:
                text = raw
                if raw.strip().startswith("{"):
                    doc = json.loads(raw)
                    text = doc.get("spec", "") if isinstance(doc, dict) else ""
                spec = parse_spec(text)
            except ValueError as e:
                return self.json(start_response, 400, {"error": str(e)})
            self.faults.set(spec)
            return self.json(start_response, 200, self.faults.describe())
        return self.json(start_response, 404, {"error": f"no control action {method} {path}"})

    @staticmethod
    def json(start_response, status, doc):
        body = json.dumps(doc, default=str, indent=1).encode()
        reasons = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
        start_response(f"{status} {reasons[status]}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
