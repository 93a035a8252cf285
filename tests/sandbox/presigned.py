"""Presigned S3 URLs (SigV4 query signing), checked and served by the sandbox.

moto checks signatures only in the Authorization header: a presigned GET
reaches it without one and fails. The sandbox hands out presigned URLs for
log files (RetrieveEnvironmentInfo), so it verifies them itself, exactly as
S3 does: the canonical request rebuilt from the URL, the signing key of the
IAM access key named in X-Amz-Credential, the expiry; then it serves the
object from moto's S3 backend."""
import datetime
import hashlib
import hmac
from urllib.parse import parse_qsl, quote

from moto.core import DEFAULT_ACCOUNT_ID


def is_presigned(environ):
    return "X-Amz-Signature=" in environ.get("QUERY_STRING", "")


def _secret_for(key_id):
    from moto.iam.models import iam_backends

    iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    for user in iam.users.values():
        for k in user.access_keys:
            if k.access_key_id == key_id and k.status == "Active":
                return k.secret_access_key
    return None


def _enc(s):
    return quote(s, safe="-_.~")


def _error(start_response, status, code, message):
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
            "<RequestId>sandbox</RequestId></Error>" % (code, message)).encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def verify(environ, now):
    """None when the URL is valid now, else (status, code, message)."""
    params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    q = dict(params)
    try:
        cred = q["X-Amz-Credential"].split("/")
        key_id, date, region, service = cred[0], cred[1], cred[2], cred[3]
        amzdate = q["X-Amz-Date"]
        expires = int(q["X-Amz-Expires"])
        signed = q["X-Amz-SignedHeaders"].split(";")
        given = q["X-Amz-Signature"]
    except (KeyError, IndexError, ValueError):
        return ("400 Bad Request", "AuthorizationQueryParametersError", "Query-string authentication requires X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.")
    secret = _secret_for(key_id)
    if secret is None:
        return ("403 Forbidden", "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    t = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    if now > t + expires:
        return ("403 Forbidden", "AccessDenied", "Request has expired")
    query = "&".join("%s=%s" % (_enc(k), _enc(v)) for k, v in sorted(params) if k != "X-Amz-Signature")
    headers = "".join("%s:%s\n" % (h, environ.get("HTTP_" + h.upper().replace("-", "_"), "").strip()) for h in signed)
    path = environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?", 1)[0]
    creq = "\n".join([environ["REQUEST_METHOD"], path, query, headers, ";".join(signed), "UNSIGNED-PAYLOAD"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, "/".join(cred[1:5]), hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, given):
        return ("403 Forbidden", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
    return None


def serve(environ, start_response, now):
    problem = verify(environ, now)
    if problem:
        return _error(start_response, *problem)
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return _error(start_response, "405 Method Not Allowed", "MethodNotAllowed", "Only GET and HEAD are presigned here.")
    from moto.s3.models import s3_backends

    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    path = environ.get("PATH_INFO", "/").lstrip("/")
    bucket, _, key = path.partition("/")
    try:
        obj = s3.get_object(bucket, key)
    except Exception:
        obj = None
    if obj is None:
        return _error(start_response, "404 Not Found", "NoSuchKey", "The specified key does not exist.")
    body = obj.value
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body))),
                              ("ETag", obj.etag)])
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
