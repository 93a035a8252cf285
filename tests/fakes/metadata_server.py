#!/usr/bin/env python3
"""Local stand-ins for the credential endpoints of the chain's last sources.

    metadata_server.py --env-file PATH --akid ID --secret SECRET
                       [--token TOKEN] [--expires-in SECONDS]

Writes METADATA_URL=http://127.0.0.1:PORT to PATH and serves:
  EC2 IMDSv2   PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds)
               GET /latest/meta-data/iam/security-credentials/[ROLE] (needs the token)
  ECS          GET /ecs/creds (needs Authorization: ecs-secret-token)
  GitHub OIDC  GET /oidc/token?api-version=2.0&audience=sts.amazonaws.com
               (needs Authorization: bearer gh-request-token) -> {"value": JWT}
  GET /__count?path=PREFIX   how many requests went to paths starting with PREFIX
The credentials served are the ones given, expiring --expires-in seconds
from each request (default 3600).
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import fakelib

IMDS_TOKEN = "imds-session-token-1"
ECS_TOKEN = "ecs-secret-token"
GH_TOKEN = "gh-request-token"
ROLE = "ebctl-instance-role"
COUNTS = {}
LOCK = threading.Lock()
ARGS = None


def creds_json():
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + ARGS.expires_in))
    return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": ARGS.akid,
                       "SecretAccessKey": ARGS.secret, "Token": ARGS.token, "Expiration": exp})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.count()
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, IMDS_TOKEN)
        return self.reply(400, "bad token request")

    def count(self):
        with LOCK:
            path = urlparse(self.path).path
            COUNTS[path] = COUNTS.get(path, 0) + 1

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/__count":
            prefix = parse_qs(url.query).get("path", [""])[0]
            return self.reply(200, str(sum(v for k, v in COUNTS.items() if k.startswith(prefix))))
        self.count()
        base = "/latest/meta-data/iam/security-credentials/"
        if url.path.startswith(base):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, "")
            if url.path == base:
                return self.reply(200, ROLE)
            if url.path == base + ROLE:
                return self.reply(200, creds_json(), "application/json")
            return self.reply(404, "")
        if url.path == "/ecs/creds":
            if self.headers.get("Authorization") != ECS_TOKEN:
                return self.reply(403, '{"message":"bad token"}')
            return self.reply(200, creds_json(), "application/json")
        if url.path == "/oidc/token":
            q = parse_qs(url.query)
            if self.headers.get("Authorization") != "bearer " + GH_TOKEN:
                return self.reply(401, '{"message":"bad bearer"}')
            if q.get("audience") != ["sts.amazonaws.com"] or q.get("api-version") != ["2.0"]:
                return self.reply(400, '{"message":"bad audience"}')
            return self.reply(200, json.dumps({"count": 1, "value": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOngifQ.c2ln"}),
                              "application/json")
        return self.reply(404, "")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    fakelib.credential_args(ap)
    ARGS = ap.parse_args()
    fakelib.serve(Handler, ARGS.env_file, "METADATA_URL")

if __name__ == "__main__":
    main()
