"""The sandbox server: moto's WSGI app with the Elastic Beanstalk actions added,
wrapped in the fault injector and the loopback control endpoint."""
import email.utils
import json
import logging
import threading
import time

from moto import settings as moto_settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

import eb
import faults

POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def sign_raw_paths():
    """Signature checks as AWS makes them. moto checks a signature against werkzeug's decoded and requoted URL,
    so a key with '+', '=', "'", '&' or any non-ASCII byte fails with
    SignatureDoesNotMatch, for the aws CLI as for ebctl. S3 signs the path
    as sent: check it against the raw request line (RAW_URI), as S3 does."""
    from urllib.parse import urlsplit, urlunsplit

    from moto.core.responses import BaseResponse

    setup = BaseResponse.setup_class
    check = BaseResponse._authenticate_and_authorize_action

    def setup_class(self, request, full_url, headers, *args, **kwargs):
        setup(self, request, full_url, headers, *args, **kwargs)
        raw = getattr(request, "environ", {}).get("RAW_URI")
        if raw:
            u = urlsplit(full_url)
            r = urlsplit(raw)
            self._raw_uri = urlunsplit((u.scheme, u.netloc, r.path, r.query, ""))

    def authenticate(self, *args, **kwargs):
        # STS takes these unsigned: the token (an OIDC or SAML assertion) is the proof
        if type(self).__name__ == "TokenResponse" and self.querystring.get("Action", [""])[0] in (
                "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
            return None
        raw = getattr(self, "_raw_uri", None)
        if not raw:
            return check(self, *args, **kwargs)
        uri, self.uri = self.uri, raw
        try:
            return check(self, *args, **kwargs)
        finally:
            self.uri = uri

    BaseResponse.setup_class = setup_class
    BaseResponse._authenticate_and_authorize_action = authenticate


sign_raw_paths()


class QuietHandler(WSGIRequestHandler):
    verbose = False
    faults = None  # the FaultInjector, whose skew moves the Date header

    def date_time_string(self, timestamp=None):
        skew = self.faults.spec["skew"] if self.faults else 0
        return email.utils.formatdate((time.time() if timestamp is None else timestamp) + skew, usegmt=True)

    def log_request(self, code="-", size="-"):
        if self.verbose:
            super().log_request(code, size)


class Sandbox:
    def __init__(self, port, deploy_seconds, fault_spec, region="us-east-1", verbose=False):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.region = region
        self.sim = eb.install(deploy_seconds=deploy_seconds, endpoint=self.url)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self.faults = faults.FaultInjector(fault_spec)
        self.app = faults.Middleware(moto_app, self.faults, self.state, self.sim.advance)
        self._server = None
        self._thread = None
        QuietHandler.verbose = verbose
        QuietHandler.faults = self.faults
        if not verbose:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def start(self):
        self.seed_roles()
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True,
                                   request_handler=QuietHandler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @staticmethod
    def seed_roles():
        """The roles the console creates on an account's first environment: the
        instances' profile and the service role. A test that needs one missing
        names another profile."""
        from moto.iam.models import iam_backends

        iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]})
        iam.create_role("aws-elasticbeanstalk-ec2-role", trust, "/", None, "", [], None)
        iam.create_instance_profile("aws-elasticbeanstalk-ec2-role", "/", ["aws-elasticbeanstalk-ec2-role"])
        iam.create_role("aws-elasticbeanstalk-service-role", trust.replace("ec2.amazonaws.com",
                        "elasticbeanstalk.amazonaws.com"), "/", None, "", [], None)

    def enable_auth(self):
        """Create an IAM user allowed everything and turn signature checking on
        for every later request; returns (access key id, secret)."""
        from moto.iam.models import iam_backends

        iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
        iam.create_user(region_name=self.region, user_name="sandbox")
        iam.put_user_policy("sandbox", "sandbox-all", POLICY)
        key = iam.create_access_key("sandbox")
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        self.sim.credentials = (key.access_key_id, key.secret_access_key)
        return key.access_key_id, key.secret_access_key

    def arm_faults(self):
        self.faults.armed = True

    def state(self):
        s = self.sim.snapshot()
        s["faults"] = self.faults.describe()
        s["multipart_uploads"] = open_multipart_uploads()
        return s

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(5)


def open_multipart_uploads():
    from moto.s3.models import s3_backends

    out = []
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    for bucket in list(s3.buckets.values()):
        for mp in list(bucket.multiparts.values()):
            out.append({"Bucket": bucket.name, "Key": mp.key_name, "UploadId": mp.id,
                        "Parts": len(mp.parts)})
    return out
