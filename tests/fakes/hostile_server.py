#!/usr/bin/env python3
"""Elastic Beanstalk and CloudWatch Logs as a hostile server would answer.

    hostile_server.py --env-file PATH --config JSON

Writes HOSTILE_URL=http://127.0.0.1:PORT to PATH and serves until killed.
JSON is read again on every request, so a test rewrites it between runs:
  instances       [{"id": "i-0abc", "bundle": "/path/to.zip"}]: what
                  RetrieveEnvironmentInfo returns; "endless": true instead of
                  "bundle" streams zeros for ever at /bundle/N
  repeat_token    true: DescribeEvents, DescribeLogGroups and FilterLogEvents
                  return the same next token on every page
  event_message   the message of the event DescribeEvents returns
  log_message     the message of the line FilterLogEvents returns
  log_stream      its stream name (default i-0abc)
  fail            {"action": NAME, "message": TEXT}: NAME answers 400
                  InvalidParameterValue with that message
GET /__count?action=NAME says how many requests NAME had.
"""
import argparse
from html import escape
import json
import os
import sys
import time
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

NS = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"
COUNTS = {}
LOCK = threading.Lock()
ARGS = None


def config():
    with open(ARGS.config) as f:
        return json.load(f)


def member(fields):
    return "<member>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items()) + "</member>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def count(self, action):
        with LOCK:
            COUNTS[action] = COUNTS.get(action, 0) + 1

    def reply(self, body, ctype="text/xml"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def query(self, action, result):
        self.reply(f'<{action}Response xmlns="{NS}"><{action}Result>{result}</{action}Result>'
                   f"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{action}Response>")

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/__count":
            action = parse_qs(url.query).get("action", [""])[0]
            return self.reply(str(COUNTS.get(action, 0)), "text/plain")
        if url.path.startswith("/bundle/"):
            inst = config()["instances"][int(url.path.rsplit("/", 1)[1])]
            self.count("bundle")
            if inst.get("endless"):
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.end_headers()
                chunk = b"\0" * 65536
                try:
                    while True:
                        self.wfile.write(chunk)
                except OSError:
                    return
            with open(inst["bundle"], "rb") as f:
                return self.reply(f.read(), "application/zip")
        self.send_error(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        target = self.headers.get("X-Amz-Target", "")
        cfg = config()
        again = cfg.get("repeat_token")
        if target:
            action = target.split(".")[-1]
            self.count(action)
            out = {}
            if action == "DescribeLogGroups":
                out = {"logGroups": [{"logGroupName": "/aws/elasticbeanstalk/env1/var/log/app"}]}
            elif action == "FilterLogEvents":
                out = {"events": [{"logStreamName": cfg.get("log_stream", "i-0abc"),
                                   "timestamp": int(time.time() * 1000),
                                   "message": cfg.get("log_message", "a line"), "eventId": "1"}]}
            if again:
                out["nextToken"] = "again"
            return self.reply(json.dumps(out), "application/x-amz-json-1.1")
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        action = form.get("Action", "")
        self.count(action)
        fail = cfg.get("fail") or {}
        if fail.get("action") == action:
            data = (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>'
                    f'<Message>{escape(fail["message"])}</Message></Error><RequestId>req-2</RequestId>'
                    f'</ErrorResponse>').encode()
            self.send_response(400)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if action == "DescribeEnvironments":
            return self.query(action, "<Environments>" + member({
                "EnvironmentName": "env1", "ApplicationName": "app1", "Status": "Ready",
                "Health": "Green", "VersionLabel": "v1"}) + "</Environments>")
        if action == "DescribeEvents":
            ev = member({"Message": cfg.get("event_message", "requestEnvironmentInfo completed successfully."),
                         "EventDate": "2024-05-06T07:08:10Z", "Severity": "INFO",
                         "EnvironmentName": "env1", "RequestId": "req-1"})
            token = "<NextToken>again</NextToken>" if again else ""
            return self.query(action, f"<Events>{ev}</Events>{token}")
        if action == "RetrieveEnvironmentInfo":
            base = f"http://127.0.0.1:{self.server.server_address[1]}/bundle/"
            infos = "".join(member({
                "Message": base + str(n), "Ec2InstanceId": inst["id"],
                "InfoType": form.get("InfoType", "bundle"), "SampleTimestamp": "2024-05-06T07:08:09Z"})
                for n, inst in enumerate(cfg.get("instances", [])))
            return self.query(action, f"<EnvironmentInfo>{infos}</EnvironmentInfo>")
        return self.query(action, "")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--env-file", required=True)
    ap.add_argument("--config", required=True)
    ARGS = ap.parse_args()
    fakelib.serve(Handler, ARGS.env_file, "HOSTILE_URL")


if __name__ == "__main__":
    main()
