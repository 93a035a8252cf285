"""What the credential fakes share: their credential options and how they serve."""
import os
import signal
import sys
from http.server import ThreadingHTTPServer


def credential_args(ap):
    """The options of the credentials a fake hands out, and where it says its URL."""
    ap.add_argument("--env-file", required=True)
    ap.add_argument("--akid", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--expires-in", type=int, default=3600)


def serve(handler, env_file, var):
    """Serve handler on a free loopback port; write VAR=URL to env_file once listening."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    port = server.server_address[1]
    tmp = env_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{var}=http://127.0.0.1:{port}\n")
    os.rename(tmp, env_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"ready {port}", flush=True)
    server.serve_forever()
