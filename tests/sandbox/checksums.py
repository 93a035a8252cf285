"""S3's checks of the bytes it receives, which moto does not make.

moto stores whatever body arrives: it never compares a signed payload hash
(`x-amz-content-sha256`) with the body, never checks an additional checksum
(`x-amz-checksum-crc32` and the like) against it, and answers
CompleteMultipartUpload without the object's checksum. S3 does all three;
so does the sandbox, in front of moto, with S3's error codes and texts:

- a hex `x-amz-content-sha256` that is not the body's SHA-256:
  400 XAmzContentSHA256Mismatch (UNSIGNED-PAYLOAD is not compared: the
  signature then covers the headers only, which moto checks);
- an `x-amz-checksum-ALGO` that is not the body's: 400 BadDigest `The CRC32
  you specified did not match the calculated checksum.`; one that is not
  the algorithm's size in base64: 400 InvalidRequest `Value for
  x-amz-checksum-crc32 header is invalid.`; `x-amz-sdk-checksum-algorithm`
  without its checksum: 400 InvalidRequest;
- a part whose checksum algorithm is not the one its CreateMultipartUpload
  named: 400 InvalidRequest `Checksum Type mismatch occurred, expected
  checksum Type: crc32, actual checksum Type: null`;
- a CompleteMultipartUpload of such an upload whose parts lack their
  checksum: 400 InvalidRequest `The upload was created using a crc32
  checksum. The complete request must include the checksum for each part.
  It was missing for part N in the request.`; a part checksum that is not
  the part's: 400 InvalidPart. Its answer carries the object's composite
  checksum (`<ChecksumCRC32>BASE64-N</ChecksumCRC32>`), as S3's does.
"""
import base64
import hashlib
import io
import re
import zlib
from urllib.parse import parse_qs, unquote
from xml.dom import minidom

from moto.core import DEFAULT_ACCOUNT_ID

# algorithm -> (digest of bytes, digest size)
ALGORITHMS = {
    "crc32": (lambda b: zlib.crc32(b).to_bytes(4, "big"), 4),
    "sha1": (lambda b: hashlib.sha1(b).digest(), 20),
    "sha256": (lambda b: hashlib.sha256(b).digest(), 32),
}
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def _multipart(bucket, upload_id):
    from moto.s3.models import s3_backends

    try:
        b = s3_backends[DEFAULT_ACCOUNT_ID]["global"].buckets.get(bucket)
        return b.multiparts.get(upload_id) if b else None
    except Exception:  # noqa: BLE001 any lookup failure: moto answers itself
        return None


def _upload_algorithm(mp):
    algo = (mp.metadata.get("x-amz-checksum-algorithm") or "") if mp is not None else ""
    return algo.lower() or None


def _read_body(environ):
    try:
        n = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        n = 0
    body = environ["wsgi.input"].read(n) if n > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _headers(environ):
    return {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}


class Checker:
    """check(environ, action) -> None (let moto answer) or an error tuple
    (status, code, message, extra) for error_response; fix_complete() adds
    the object's checksum to a CompleteMultipartUpload answer."""

    def __init__(self):
        # (upload id, part number) -> (algorithm, base64 value) of the parts received
        self.parts = {}

    def check(self, environ, action):
        if action not in ("PutObject", "UploadPart", "CompleteMultipartUpload"):
            return None
        headers = _headers(environ)
        body = _read_body(environ)
        if action == "CompleteMultipartUpload":
            return self.check_complete(environ, body)
        if "x-amz-trailer" in headers or "aws-chunked" in headers.get("content-encoding", ""):
            return None  # a checksum after an aws-chunked body (the SDKs' over TLS): moto decodes it
        sent = headers.get("x-amz-content-sha256", "")
        if HEX64.match(sent) and hashlib.sha256(body).hexdigest() != sent.lower():
            return (400, "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    {"ClientComputedContentSHA256": sent,
                     "S3ComputedContentSHA256": hashlib.sha256(body).hexdigest()})
        given = [a for a in ALGORITHMS if f"x-amz-checksum-{a}" in headers]
        sdk = headers.get("x-amz-sdk-checksum-algorithm", "").lower()
        if sdk and f"x-amz-checksum-{sdk}" not in headers:
            return (400, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding "
                    "x-amz-checksum-* or x-amz-trailer headers were found.", None)
        for algo in given:
            fn, size = ALGORITHMS[algo]
            value = headers[f"x-amz-checksum-{algo}"]
            try:
                raw = base64.b64decode(value, validate=True)
            except ValueError:
                raw = b""
            if len(raw) != size:
                return (400, "InvalidRequest", f"Value for x-amz-checksum-{algo} header is invalid.", None)
            if fn(body) != raw:
                return (400, "BadDigest", f"The {algo.upper()} you specified did not match the calculated "
                        "checksum.", None)
        if action == "UploadPart":
            qs = parse_qs(environ.get("QUERY_STRING", ""))
            upload_id = (qs.get("uploadId") or [""])[0]
            bucket = unquote(environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0])
            mp = _multipart(bucket, upload_id)
            if mp is None:
                return None  # moto answers NoSuchUpload
            want = _upload_algorithm(mp)
            have = given[0] if given else None
            if want != have:
                return (400, "InvalidRequest", f"Checksum Type mismatch occurred, expected checksum Type: "
                        f"{want or 'null'}, actual checksum Type: {have or 'null'}", None)
            if have:
                part = (qs.get("partNumber") or ["0"])[0]
                self.parts[(upload_id, part)] = (have, headers[f"x-amz-checksum-{have}"])
        return None

    def check_complete(self, environ, body):
        qs = parse_qs(environ.get("QUERY_STRING", ""))
        upload_id = (qs.get("uploadId") or [""])[0]
        bucket = unquote(environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0])
        algo = _upload_algorithm(_multipart(bucket, upload_id))
        if not algo or algo not in ALGORITHMS:
            return None
        try:
            parts = minidom.parseString(body).getElementsByTagName("Part")
        except Exception:  # noqa: BLE001 moto answers MalformedXML
            return None
        tag = "Checksum" + algo.upper()
        for p in parts:
            number = p.getElementsByTagName("PartNumber")
            n = number[0].firstChild.wholeText.strip() if number and number[0].firstChild else "?"
            given = p.getElementsByTagName(tag)
            if not given or not given[0].firstChild:
                return (400, "InvalidRequest", f"The upload was created using a {algo} checksum. The complete "
                        f"request must include the checksum for each part. It was missing for part {n} in the "
                        "request.", None)
            received = self.parts.get((upload_id, n))
            if received and received[1] != given[0].firstChild.wholeText.strip():
                return (400, "InvalidPart", "One or more of the specified parts could not be found.  The part "
                        "may not have been uploaded, or the specified entity tag may not have matched the "
                        "part's entity tag.", {"UploadId": upload_id, "PartNumber": n})
        return None

    @staticmethod
    def fix_complete(environ, body):
        """The object's checksum in CompleteMultipartUpload's answer body."""
        # moto's root is CompleteMultipartUploadResponse, S3's ...Result
        end = re.search(rb"</CompleteMultipartUpload(Result|Response)>", body)
        if not end or b"<Checksum" in body:
            return body
        from moto.s3.models import s3_backends

        path = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)
        if len(path) != 2:
            return body
        try:
            key = s3_backends[DEFAULT_ACCOUNT_ID]["global"].get_object(unquote(path[0]), unquote(path[1]))
        except Exception:  # noqa: BLE001
            key = None
        if key is None or not key.checksum_algorithm or not key.checksum_value:
            return body
        value = key.checksum_value
        if key.checksum_type == "COMPOSITE":
            value = f"{value}-{key.checksum_parts}"
        extra = (f"<Checksum{key.checksum_algorithm.upper()}>{value}</Checksum{key.checksum_algorithm.upper()}>"
                 f"<ChecksumType>{key.checksum_type}</ChecksumType>").encode()
        return body[:end.start()] + extra + body[end.start():]
