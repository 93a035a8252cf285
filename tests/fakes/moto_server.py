#!/usr/bin/env python3
"""moto with signature checking on, for the AWS layer's tests.

    moto_server.py --env-file PATH

Starts moto on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT=5,
spends the five unauthenticated calls on an IAM user with an allow-all
inline policy and its access key, and a role (allow-all, assumable by
anyone) for the STS tests. From then on every request must carry a valid
SigV4 signature from that key (or from credentials STS issued for the role).

Writes KEY=VALUE lines to PATH (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_ENDPOINT_URL, AWS_REGION, EBCTL_TEST_ROLE_ARN) and prints "ready PORT".
Runs until killed (SIGTERM/SIGINT).

AssumeRoleWithWebIdentity is an unsigned call in AWS (the token is the
proof), while moto would demand a signature for it: such requests, and only
those, skip moto's signature check here.
"""
import argparse
import json
import os
import signal
import socket
import sys

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "5"
os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto import settings  # noqa: E402
from moto.core import authorization  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*", "Federated": "*"},
                                       "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]})


def web_identity_unsigned(app):
    def wrapped(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and "HTTP_AUTHORIZATION" not in environ:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            import io
            environ["wsgi.input"] = io.BytesIO(body)
            if b"Action=AssumeRoleWithWebIdentity" in body:
                mixin = authorization.ActionAuthenticatorMixin
                saved = settings.INITIAL_NO_AUTH_ACTION_COUNT
                settings.INITIAL_NO_AUTH_ACTION_COUNT = mixin.request_count + 1
                try:
                    return app(environ, start_response)
                finally:
                    settings.INITIAL_NO_AUTH_ACTION_COUNT = saved
                    mixin.request_count = saved if mixin.request_count > saved else mixin.request_count
        return app(environ, start_response)
    return wrapped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env-file", required=True)
    args = ap.parse_args()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()

    app = web_identity_unsigned(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True)
    import threading
    threading.Thread(target=server.serve_forever, daemon=True).start()

    url = f"http://127.0.0.1:{port}"
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup",
                       config=Config(retries={"max_attempts": 1}))
    iam.create_user(UserName="ebctl")
    iam.put_user_policy(UserName="ebctl", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="ebctl")["AccessKey"]
    role = iam.create_role(RoleName="ebctl-deployer", AssumeRolePolicyDocument=TRUST_ALL)["Role"]
    iam.put_role_policy(RoleName="ebctl-deployer", PolicyName="all", PolicyDocument=ALLOW_ALL)

    tmp = args.env_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"AWS_ACCESS_KEY_ID={key['AccessKeyId']}\n")
        f.write(f"AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")
        f.write(f"AWS_ENDPOINT_URL={url}\n")
        f.write("AWS_REGION=us-east-1\n")
        f.write(f"EBCTL_TEST_ROLE_ARN={role['Arn']}\n")
    os.rename(tmp, args.env_file)
    print(f"ready {port}", flush=True)

    def stop(*_):
        server.shutdown()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.pause()


if __name__ == "__main__":
    main()
