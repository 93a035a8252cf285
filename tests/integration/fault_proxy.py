"""An HTTP proxy in front of the sandbox that injects one kind of fault.

    fault_proxy.py UPSTREAM_URL PORT_FILE MODE

MODE "parts": every S3 UploadPart after the first gets a 500; "all": every
request gets a 500; "lose-update": the first UpdateEnvironment is applied
upstream but its answer is dropped (the connection closes with no reply).
Everything else is forwarded unchanged, Host header
included, so SigV4 signatures made for the proxy's address still verify
upstream. Writes its port to PORT_FILE once it listens.
"""
import http.client
import http.server
import sys
import threading
import urllib.parse

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
MODE = sys.argv[3]
lost = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fail(self):
        body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                b'<Message>injected by the test proxy</Message></Error>')
        self.send_response(500)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if MODE == "all" or (MODE == "parts" and self.command == "PUT"
                             and query.get("partNumber", ["1"])[0] != "1"):
            self.fail()
            return
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        drop = ("connection", "expect", "transfer-encoding")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in drop}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if MODE == "lose-update" and body and b"Action=UpdateEnvironment" in body and not lost.is_set():
            lost.set()
            self.close_connection = True
            self.connection.close()
            conn.close()
            return
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
