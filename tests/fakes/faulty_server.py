#!/usr/bin/env python3
"""An AWS-shaped HTTP server that misbehaves on cue, for the retry tests.

    faulty_server.py --env-file PATH

Writes FAULTY_URL=http://127.0.0.1:PORT to PATH and serves until killed.

Control (not counted):
  GET /__script?steps=throttle,500,ok   reset the counter, queue the steps
  GET /__count                          requests answered since the script
  GET /__last                           the last request's X-Amz-Date and Authorization presence

Each other request takes the next step (then "ok" when none is left); the
faults and their answers, in the request's protocol (JSON for X-Amz-Target
requests, Query XML for a form Action, S3 XML otherwise), are those of
tests/fakes/faultkinds.py, which the fault proxy and the sandbox share:
  ok        200, a Query response <ActionResponse> with a RequestId (JSON "{}"
            for X-Amz-Target requests); after a "skew" step, only when the
            request's signing time is within 15 minutes of the skewed clock
  throttle  400 Throttling / ThrottlingException (JSON) / 503 SlowDown (S3)
  slowdown  503 SlowDown
  error500  500 InternalFailure / InternalError (S3)
  500 502 503 504   that status with an InternalError body
  drop      read the request, close the connection without an answer
  reset     read the request, reset the connection without an answer
  skew      403 RequestTimeTooSkewed; the server's clock (its Date header)
            is two hours ahead from now on
  denied    403 AccessDenied
  expired   400 ExpiredToken (Query) / 400 ExpiredTokenException (JSON) /
            400 ExpiredToken (S3): the session token of the signing
            credentials has expired
  etag      200 with an ETag header that is the MD5 of the body (S3 UploadPart)
  hang      read the request, say nothing for 10 seconds, then close
  file:NAME 200 with tests/fakes/responses/NAME (canned AWS responses)
An unknown step refuses the whole script (400, the reason in the body).
Error answers carry the request id err-N, N the request's count.
/__last also gives the request's method, path, query and form body, the
access key id it was signed with ("akid"), and how many connections the
requests since the script came on ("connections").
"""
import argparse
import email.utils
import hashlib
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import faultkinds

STATE = {"steps": [], "count": 0, "offset": 0, "last": {}, "connections": 0}
LOCK = threading.Lock()
SKEW = 7200
# The steps a script may take, besides file:NAME.
STEPS = ("ok", "etag", "hang", "drop", "reset", "skew") + tuple(faultkinds.ERRORS) + faultkinds.STATUSES


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="text/xml"):
        data = body.encode()
        self.send_response_only(status)
        self.send_header("Date", email.utils.formatdate(time.time() + STATE["offset"], usegmt=True))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", f"req-{STATE['count']}")
        self.end_headers()
        self.wfile.write(data)

    def answer(self, status, body, headers):
        """A fault's (status, body, headers) from faultkinds."""
        self.reply(status, body.decode(), dict(headers)["Content-Type"])

    def control(self, url):
        if url.path == "/__script":
            steps = [s for s in parse_qs(url.query).get("steps", [""])[0].split(",") if s]
            try:
                for step in steps:
                    if not step.startswith("file:"):
                        faultkinds.check_kind(step, STEPS)
            except ValueError as e:
                return self.reply(400, str(e), "text/plain")
            with LOCK:
                STATE["steps"] = steps
                STATE["count"] = 0
                STATE["offset"] = 0
                STATE["connections"] = 0
            return self.reply(200, "scripted", "text/plain")
        if url.path == "/__count":
            return self.reply(200, str(STATE["count"]), "text/plain")
        if url.path == "/__last":
            last = STATE["last"]
            return self.reply(200, "\n".join(f"{k}={v}" for k, v in last.items()), "text/plain")
        return self.reply(404, "no such control", "text/plain")

    def handle_any(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = raw.decode(errors="replace")
        if url.path.startswith("/__"):
            return self.control(url)
        with LOCK:
            STATE["count"] += 1
            if not getattr(self, "counted", False):  # one handler per connection
                self.counted = True
                STATE["connections"] += 1
            step = STATE["steps"].pop(0) if STATE["steps"] else "ok"
            STATE["last"] = {"x-amz-date": self.headers.get("X-Amz-Date", ""),
                             "authorization": "yes" if self.headers.get("Authorization") else "no",
                             "akid": (re.findall(r"Credential=([^/]+)/", self.headers.get("Authorization", "")) or [""])[0],
                             "method": self.command, "path": url.path, "query": url.query, "body": body,
                             "connections": STATE["connections"]}
        target = self.headers.get("X-Amz-Target")
        action = faultkinds.form_action(body)
        protocol = faultkinds.protocol_of(target, action)
        rid = f"err-{STATE['count']}"
        action = action or "Unknown"
        if step in ("drop", "reset"):
            self.close_connection = True
            faultkinds.close(self.connection, reset=(step == "reset"))
            return
        if step == "hang":
            time.sleep(10)
            self.close_connection = True
            return
        if step == "skew":
            STATE["offset"] = SKEW
            return self.answer(*faultkinds.answer("skewed", protocol, rid))
        if step in faultkinds.ERRORS or step in faultkinds.STATUSES:
            return self.answer(*faultkinds.answer(step, protocol, rid))
        if step.startswith("file:"):
            name = os.path.basename(step[5:])
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "responses", name)) as f:
                return self.reply(200, f.read())
        if step == "etag":
            self.send_response_only(200)
            self.send_header("Date", email.utils.formatdate(time.time() + STATE["offset"], usegmt=True))
            self.send_header("ETag", '"%s"' % hashlib.md5(raw).hexdigest())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # ok: but a skewed server still rejects a request signed with the wrong clock
        if STATE["offset"]:
            now = time.time() + STATE["offset"]
            sent = faultkinds.signing_time(self.headers.get("Authorization"), self.headers.get("X-Amz-Date"), None)
            if sent is None or abs(sent[0] - now) > faultkinds.MAX_SKEW:
                sent = sent or (0, self.headers.get("X-Amz-Date", ""))
                return self.answer(*faultkinds.skew_response(protocol, sent[0], sent[1], now, rid))
        if target:
            return self.reply(200, "{}", "application/x-amz-json-1.1")
        return self.reply(200, f"<{action}Response><{action}Result></{action}Result><ResponseMetadata>"
                               f"<RequestId>req-{STATE['count']}</RequestId></ResponseMetadata></{action}Response>")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env-file", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    tmp = args.env_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"FAULTY_URL=http://127.0.0.1:{port}\n")
    os.rename(tmp, args.env_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"ready {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
