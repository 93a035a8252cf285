#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of the sandbox, for the fault matrix.

    faultproxy.py --backend http://127.0.0.1:PORT --port-file PATH

Forwards every request unchanged (the Host header included, so SigV4
signatures still verify) and answers with the backend's response, except
for the requests of one *step* chosen by the control endpoint, which get
one *fault*:

    POST /__fault  {"step": "UploadPart", "fault": "throttle", "count": 1, "skip": 0}
    GET  /__fault  -> {"rule": ..., "hits": N, "seen": {"PutObject": 2, ...}}
    DELETE /__fault  (no fault)

Steps: every Query action by its name (CreateApplicationVersion,
UpdateEnvironment, DescribeEvents...), every S3 operation by its name
(PutObject, UploadPart, CreateMultipartUpload, CompleteMultipartUpload,
AbortMultipartUpload, HeadObject, GetObject...), and "*" for any request.
skip: how many matching requests go through first (default 0); count: how
many after those get the fault (-1: all of them).

Faults (tests/fakes/faultkinds.py says what each answers per protocol):
  throttle   400 Throttling (Query) / 503 SlowDown (S3: how S3 throttles)
  error500   500 InternalFailure / InternalError
  slowdown   503 SlowDown (S3 and Query services alike)
  expired    the server says the session token expired (revoked, say), though
             its time has not come: 400 ExpiredToken
  denied, skewed, 500, 502, 503, 504: the other errors of faultkinds.ERRORS
  drop       the request is read, the connection closed without an answer
  reset      the request is read, the connection reset without an answer
  lose       the request is applied, the connection closed without an answer
  slow       the request is applied, the answer held back SLOW seconds
  late       the request is held back SLOW seconds, then applied and answered
             (it reads the server's state as it is by then)
  truncate   the request is applied, the answer cut short and the connection closed
  drip       the request is applied, the answer sent a byte every DRIP seconds
             (a read timeout, which waits for a byte, never fires)
  corrupt    one byte in the middle of the request body is flipped on the way
             (headers, and so the signature, untouched): what S3 must refuse

Temporary credentials that really expire, as a container credentials
endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/__creds):

    POST /__creds  {"role_arn": ARN, "lifetime": SECONDS}
    GET  /__creds  -> {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}

Each GET assumes the role through the backend's STS (with the proxy's own
AWS_* credentials, the sandbox's IAM user) and says the credentials expire
LIFETIME seconds later; from then on a request signed with them gets
ExpiredToken, as AWS answers. GET /__fault counts the credentials served
("creds_served") and the requests refused for an expired token
("expired_refused").

The faults and their answers are tests/fakes/faultkinds.py, shared with the
sandbox and the faulty server: a fault means the same thing in all three.
A rule with an unknown fault is refused (400, the reason in "error").
"""
import argparse
import http.client
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import faultkinds  # noqa: E402

lock = threading.Lock()
state = {"rule": None, "hits": 0, "seen": {}, "creds_served": 0, "expired_refused": 0}
creds = {"role_arn": None, "lifetime": 3600, "expiry": {}}  # expiry: token -> epoch seconds
SLOW = 2.5
DRIP = 0.2


# The faults a rule may name: every error of faultkinds, and these of the connection.
FAULTS = tuple(faultkinds.ERRORS) + faultkinds.STATUSES + ("drop", "reset", "lose", "slow", "late", "truncate",
                                                           "drip", "corrupt")


def classify(method, path, query, body, target):
    """(step, protocol) of a request: a Query action by its name, else its S3 operation."""
    action = faultkinds.form_action(body) if method == "POST" and path in ("", "/") and body else None
    if action:
        return action, faultkinds.protocol_of(target, action)
    if target:
        return target.split(".")[-1], "json"
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    return faultkinds.s3_action(method, path, q), "s3"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_plain(self, status, body, ctype="text/xml", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_answer(self, status, body, headers):
        self.send_plain(status, body, dict(headers).pop("Content-Type"),
                        [(k, v) for k, v in headers if k != "Content-Type"])

    def control(self, body):
        with lock:
            if self.command == "POST":
                rule = json.loads(body or b"{}")
                try:
                    if "fault" in rule:
                        faultkinds.check_kind(rule["fault"], FAULTS)
                except ValueError as e:
                    return self.send_plain(400, json.dumps({"error": str(e)}).encode(), "application/json")
                state["rule"] = rule
                state["hits"] = 0
                state["seen"] = {}
                state["creds_served"] = state["expired_refused"] = 0
            elif self.command == "DELETE":
                state["rule"] = None
            out = json.dumps(state).encode()
        self.send_plain(200, out, "application/json")

    def forward(self, body):
        conn = http.client.HTTPConnection(self.server.backend_host, self.server.backend_port, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "expect", "transfer-encoding", "content-length")}
        if body:
            headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body if body else None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        drop = ("transfer-encoding", "connection", "date", "server") + (() if self.command == "HEAD" else
                                                                         ("content-length",))
        hdrs = [(k, v) for k, v in resp.getheaders() if k.lower() not in drop]
        conn.close()
        return resp.status, hdrs, data

    def reply(self, status, hdrs, data, truncate=False):
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(max(len(data), 16)) if truncate else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data[: len(data) // 2] if truncate else data)
        if truncate:
            self.wfile.flush()
            self.close_connection = True
            faultkinds.close(self.connection)

    def read_body(self):
        if "chunked" not in (self.headers.get("Transfer-Encoding") or "").lower():
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""
        body = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += self.rfile.read(size)
            self.rfile.readline()

    def serve_creds(self, body):
        if self.command == "POST":
            with lock:
                creds.update(json.loads(body or b"{}"))
            return self.send_plain(200, b"{}", "application/json")
        import boto3  # only the tests that use temporary credentials pay for it
        sts = boto3.client("sts", endpoint_url=self.server.backend, region_name="us-east-1")
        got = sts.assume_role(RoleArn=creds["role_arn"], RoleSessionName="faultproxy")["Credentials"]
        expires = time.time() + float(creds["lifetime"])
        with lock:
            creds["expiry"][got["SessionToken"]] = expires
            state["creds_served"] += 1
        out = {"AccessKeyId": got["AccessKeyId"], "SecretAccessKey": got["SecretAccessKey"],
               "Token": got["SessionToken"],
               "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))}
        self.send_plain(200, json.dumps(out).encode(), "application/json")

    def token_expired(self, query):
        token = self.headers.get("X-Amz-Security-Token") or \
            urllib.parse.parse_qs(query).get("X-Amz-Security-Token", [None])[0]
        with lock:
            expires = creds["expiry"].get(token)
            if expires is not None and time.time() >= expires:
                state["expired_refused"] += 1
                return True
        return False

    def handle_any(self):
        body = self.read_body()
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/__fault":
            return self.control(body)
        if parsed.path == "/__creds":
            return self.serve_creds(body)
        step, protocol = classify(self.command, parsed.path, parsed.query, body, self.headers.get("X-Amz-Target"))
        fault = None
        with lock:
            state["seen"][step] = state["seen"].get(step, 0) + 1
            rule = state["rule"]
            if rule and rule.get("step") in (step, "*") and rule.get("skip", 0) > 0:
                rule["skip"] -= 1
            elif rule and rule.get("step") in (step, "*") and rule.get("count", -1) != 0:
                fault = rule["fault"]
                state["hits"] += 1
                if rule.get("count", -1) > 0:
                    rule["count"] -= 1
        if fault in ("drop", "reset"):
            self.close_connection = True
            faultkinds.close(self.connection, reset=(fault == "reset"))
            return
        if fault in faultkinds.ERRORS or fault in faultkinds.STATUSES:
            return self.send_answer(*faultkinds.answer(fault, protocol))
        if self.token_expired(parsed.query):
            return self.send_answer(*faultkinds.answer("expired", protocol))
        if fault == "corrupt":
            body = faultkinds.corrupt(body)
        if fault == "late":
            time.sleep(SLOW)
        status, hdrs, data = self.forward(body)
        if fault == "lose":
            self.close_connection = True
            faultkinds.close(self.connection)
            return
        if fault == "slow":
            time.sleep(SLOW)
        if fault == "drip":
            return self.drip(status, hdrs, data)
        self.reply(status, hdrs, data, truncate=(fault == "truncate"))

    def drip(self, status, hdrs, data):
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(DRIP)
        except OSError:
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.backend)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.backend_host, srv.backend_port = u.hostname, u.port
    srv.backend = args.backend
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
