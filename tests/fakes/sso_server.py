#!/usr/bin/env python3
"""A local stand-in for the IAM Identity Center portal and SSO OIDC (moto has neither).

    sso_server.py --env-file PATH --akid ID --secret SECRET [--token TOKEN]
                  [--expires-in SECONDS] [--access-token T]... [--refresh-token T]...

Writes SSO_URL=http://127.0.0.1:PORT to PATH and serves, in the shapes of
botocore's service models (data/sso, data/sso-oidc):
  GET  /federation/credentials?role_name=R&account_id=A   (GetRoleCredentials)
       needs x-amz-sso_bearer_token: one of --access-token, or one CreateToken
       handed out; -> {"roleCredentials": {accessKeyId, secretAccessKey,
       sessionToken, expiration (epoch ms)}}; else 401 UnauthorizedException
  POST /token   (CreateToken, grantType refresh_token)
       needs clientId CLIENT_ID, clientSecret CLIENT_SECRET and a refreshToken
       from --refresh-token (each may be used once: it is rotated); ->
       {accessToken, tokenType, expiresIn, refreshToken}; else 400
       InvalidGrantException / InvalidClientException
  GET /__count?path=PREFIX   how many requests went to paths starting with PREFIX
  GET /__last                the query string of the last GetRoleCredentials
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import fakelib

CLIENT_ID = "ebctl-test-client-id"
CLIENT_SECRET = "ebctl-test-client-secret-value"
LOCK = threading.Lock()
COUNTS = {}
STATE = {"access": set(), "refresh": set(), "issued": 0, "last": ""}
ARGS = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj, error_type=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def count(self, path):
        with LOCK:
            COUNTS[path] = COUNTS.get(path, 0) + 1

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/__count":
            prefix = parse_qs(url.query).get("path", [""])[0]
            return self.reply(200, sum(v for k, v in COUNTS.items() if k.startswith(prefix)))
        if url.path == "/__last":
            return self.reply(200, STATE["last"])
        self.count(url.path)
        if url.path != "/federation/credentials":
            return self.reply(404, {"message": "no such path"}, "ResourceNotFoundException")
        q = parse_qs(url.query)
        with LOCK:
            STATE["last"] = url.query
            good = self.headers.get("x-amz-sso_bearer_token") in STATE["access"]
        if not q.get("role_name") or not q.get("account_id"):
            return self.reply(400, {"message": "role_name and account_id are required"},
                              "InvalidRequestException")
        if not good:
            return self.reply(401, {"message": "Session token not found or invalid"},
                              "UnauthorizedException")
        exp = int((time.time() + ARGS.expires_in) * 1000)
        return self.reply(200, {"roleCredentials": {
            "accessKeyId": ARGS.akid, "secretAccessKey": ARGS.secret,
            "sessionToken": ARGS.token, "expiration": exp}})

    def do_POST(self):
        url = urlparse(self.path)
        self.count(url.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != "/token":
            return self.reply(404, {"message": "no such path"}, "ResourceNotFoundException")
        try:
            req = json.loads(body)
        except ValueError:
            return self.reply(400, {"error": "invalid_request"}, "InvalidRequestException")
        if req.get("grantType") != "refresh_token":
            return self.reply(400, {"error": "unsupported_grant_type"},
                              "UnsupportedGrantTypeException")
        if req.get("clientId") != CLIENT_ID or req.get("clientSecret") != CLIENT_SECRET:
            return self.reply(400, {"error": "invalid_client"}, "InvalidClientException")
        with LOCK:
            if req.get("refreshToken") not in STATE["refresh"]:
                return self.reply(400, {"error": "invalid_grant",
                                        "error_description": "the refresh token is not valid"},
                                  "InvalidGrantException")
            STATE["refresh"].discard(req["refreshToken"])
            STATE["issued"] += 1
            n = STATE["issued"]
            access, refresh = f"refreshed-access-token-{n}", f"rotated-refresh-token-{n}"
            STATE["access"].add(access)
            STATE["refresh"].add(refresh)
        return self.reply(200, {"accessToken": access, "tokenType": "Bearer",
                                "expiresIn": 28800, "refreshToken": refresh})


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    fakelib.credential_args(ap)
    ap.add_argument("--access-token", action="append", default=[])
    ap.add_argument("--refresh-token", action="append", default=[])
    ARGS = ap.parse_args()
    STATE["access"].update(ARGS.access_token)
    STATE["refresh"].update(ARGS.refresh_token)
    fakelib.serve(Handler, ARGS.env_file, "SSO_URL")

if __name__ == "__main__":
    main()
