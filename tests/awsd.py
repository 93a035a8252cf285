"""The aws CLI for the integration tests, loaded once per test script.

Most of an `aws` call's CPU is Python importing awscli and botocore: about
0.6 s, paid again by every call, and the tests make hundreds. `awsd.py
serve SOCKET` imports them once and forks for each call, so each call is
the real aws CLI (the same code, a fresh process, nothing shared between
calls) without the imports. `awsd.py call ARGS...` is the `aws` that
tests/lib.sh puts first on PATH: it passes its standard input, output and
error, its arguments, its environment and its working directory to the
server, and exits with the call's exit code. With no server (AWSD_SOCKET
unset or gone) it runs the aws CLI itself (AWSD_AWS).
"""
import array
import json
import os
import signal
import socket
import sys


def send_call(path, argv):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    body = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    s.sendmsg([body], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        chunk = s.recv(64)
        if not chunk:
            break
        answer += chunk
    # no answer: the call's process died without one (a signal)
    return int(answer) if answer.strip() else 255


def call(argv):
    path = os.environ.get("AWSD_SOCKET")
    if path:
        try:
            sys.exit(send_call(path, argv))
        except (ConnectionRefusedError, FileNotFoundError):
            pass
    real = os.environ.get("AWSD_AWS") or "aws"
    os.execvp(real, [real] + argv)


def run_one(conn, first, fds):
    """In the forked child: become the caller's aws process."""
    body = first
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        body += chunk
    req = json.loads(body)
    for i, fd in enumerate(fds[:3]):
        os.dup2(fd, i)
        os.close(fd)
    os.environ.clear()
    os.environ.update(req["env"])
    os.chdir(req["cwd"])
    sys.argv = ["aws"] + req["argv"]
    import importlib

    import awscli
    import awscli.clidriver

    importlib.reload(awscli)  # its import reads AWS_DATA_PATH: the caller's now
    try:
        rc = awscli.clidriver.main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    try:
        sys.stdout.flush()
    except OSError:
        pass
    try:
        sys.stderr.flush()
    except OSError:
        pass
    try:
        conn.sendall(str(rc if isinstance(rc, int) else 255).encode())
    except OSError:
        pass
    os._exit(rc if isinstance(rc, int) else 255)


def warm_data():
    """Keep what botocore reads from its data folder (the list of services,
    the files' text) in this process for the calls to inherit. Each call
    still parses the JSON it needs, into objects of its own."""
    import awscli
    from botocore import loaders

    listings = {}
    texts = {}
    list_services = loaders.Loader.list_available_services
    load_file = loaders.JSONFileLoader._load_file

    def cached_list(self, type_name):
        key = (tuple(self._potential_locations()), type_name)
        if key not in listings:
            listings[key] = list_services(self, type_name)
        return list(listings[key])

    def cached_load(self, full_path, open_method):
        if full_path not in texts:
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as fp:
                texts[full_path] = fp.read().decode("utf-8")
        return loaders.json.loads(texts[full_path], object_pairs_hook=loaders.OrderedDict)

    loaders.Loader.list_available_services = cached_list
    loaders.JSONFileLoader._load_file = cached_load
    loader = loaders.create_loader(os.environ.get("AWS_DATA_PATH", awscli._awscli_data_path[-1]))
    loader.list_available_services("service-2")
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry", "cli"):
        loader.load_data(name) if loader.file_loader.exists(name) else None
    for service in ("s3", "elasticbeanstalk", "iam", "sts", "ec2", "rds", "elasticache", "logs"):
        try:
            loader.load_service_model(service, "service-2")
        except Exception:
            pass


def serve(path):
    # the imports every call would pay for: the CLI, botocore, and the
    # plugins the CLI loads on each start
    import awscli.clidriver  # noqa: F401
    import awscli.handlers  # noqa: F401
    import botocore.session  # noqa: F401

    warm_data()

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    # children are reaped by the kernel; a call's exit code travels on its socket
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        fds = array.array("i")
        first, anc, _, _ = conn.recvmsg(1 << 16, socket.CMSG_LEN(3 * fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            srv.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                run_one(conn, first, list(fds))
            except BaseException:
                import traceback

                traceback.print_exc()
            os._exit(70)
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "call":
        call(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.stderr.write("usage: awsd.py serve SOCKET | awsd.py call ARGS...\n")
        sys.exit(2)
