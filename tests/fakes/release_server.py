#!/usr/bin/env python3
"""A stand-in for GitHub's release downloads: static files from a directory.

    release_server.py --env-file PATH --root DIR

Writes RELEASE_SERVER=http://127.0.0.1:PORT to PATH and serves GET /NAME
from DIR (404 for what is not there, as github.com does for a release or an
asset that does not exist); GET /__log lists the paths requested so far.
"""
import argparse
import os
from http.server import SimpleHTTPRequestHandler

import fakelib

LOG = []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env-file", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    root = os.path.abspath(args.root)

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def do_GET(self):
            if self.path == "/__log":
                body = "".join(p + "\n" for p in LOG).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            LOG.append(self.path)
            super().do_GET()

        def log_message(self, *a):
            pass

    fakelib.serve(Handler, args.env_file, "RELEASE_SERVER")


if __name__ == "__main__":
    main()
