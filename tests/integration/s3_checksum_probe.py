#!/usr/bin/env python3
"""Raw requests to the sandbox's S3 that no client of ours would send, to
check that it refuses them as S3 does (tests/sandbox/checksums.py):

    s3_checksum_probe.py BUCKET KEY

with AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_REGION from the sandbox. Prints one line per case, "CASE STATUS CODE
MESSAGE", for the shell test to compare."""
import base64
import http.client
import os
import re
import sys
import urllib.parse
import zlib

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
CREDS = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
REGION = os.environ.get("AWS_REGION", "us-east-1")


def crc(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def send(method, path, body=b"", headers=None, after_signing=None):
    """Sign (SigV4, service s3, the payload hash as headers says) and send;
    after_signing may change the headers once signed. (status, code, message, body)."""
    url = ENDPOINT + path
    h = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    h.update(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=h)
    SigV4Auth(CREDS, "s3", REGION).add_auth(req)
    final = dict(req.headers.items())
    if after_signing:
        after_signing(final)
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, u.path + ("?" + u.query if u.query else ""), body=body, headers=final)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    code = re.search(rb"<Code>(.*?)</Code>", data)
    msg = re.search(rb"<Message>(.*?)</Message>", data)
    return (resp.status, code.group(1).decode() if code else "-", msg.group(1).decode() if msg else "-", data)


def report(case, result):
    print(case, result[0], result[1], result[2])


def main():
    bucket, key = sys.argv[1], sys.argv[2]
    data = os.urandom(5 * 1024 * 1024 + 17)
    good = crc(data)
    bad = crc(data + b"x")
    path = "/%s/%s" % (bucket, key)
    # A single PUT, unsigned payload: the checksum decides.
    report("put-good", send("PUT", path, data, {"x-amz-checksum-crc32": good}))
    report("put-bad", send("PUT", path, data, {"x-amz-checksum-crc32": bad}))
    report("put-invalid", send("PUT", path, data, {"x-amz-checksum-crc32": "nope"}))
    report("put-sdk-alone", send("PUT", path, data, {"x-amz-sdk-checksum-algorithm": "CRC32"}))
    # A signed payload hash that is not the body's.
    report("put-sha-mismatch", send("PUT", path, data, {"x-amz-content-sha256": "0" * 64}))
    # UNSIGNED-PAYLOAD does not unsign the headers: one changed after signing fails.
    report("put-header-changed", send("PUT", path, data, {"x-amz-checksum-crc32": good, "x-amz-meta-note": "a"},
                                      after_signing=lambda h: h.update({"x-amz-meta-note": "b"})))
    # Multipart with CRC32: parts checked, the algorithm enforced, Complete checked.
    _, _, _, body = send("POST", path + "?uploads", b"", {"x-amz-checksum-algorithm": "CRC32"})
    upload = re.search(rb"<UploadId>(.*?)</UploadId>", body).group(1).decode()
    q = "?partNumber=%d&uploadId=" + urllib.parse.quote(upload, safe="")
    report("part-bad", send("PUT", path + q % 1, data, {"x-amz-checksum-crc32": bad}))
    report("part-none", send("PUT", path + q % 1, data))
    r1 = send("PUT", path + q % 1, data, {"x-amz-checksum-crc32": good})
    tail = b"tail"
    send("PUT", path + q % 2, tail, {"x-amz-checksum-crc32": crc(tail)})
    report("part-good", r1)

    def complete(crcs):
        parts = "".join("<Part><ETag>%s</ETag>%s<PartNumber>%d</PartNumber></Part>" % (
            etag, "<ChecksumCRC32>%s</ChecksumCRC32>" % c if c else "", n)
            for n, (etag, c) in enumerate(crcs, 1))
        doc = "<CompleteMultipartUpload>%s</CompleteMultipartUpload>" % parts
        return send("POST", path + "?uploadId=" + urllib.parse.quote(upload, safe=""), doc.encode(),
                    {"Content-Type": "application/xml"})

    # The ETags are in the response headers, which send() drops: list the parts instead.
    _, _, _, listing = send("GET", path + "?uploadId=" + urllib.parse.quote(upload, safe=""))
    etag = [e.decode().replace("&quot;", '"').replace("&#34;", '"') for e in re.findall(rb"<ETag>(.*?)</ETag>", listing)]
    report("complete-missing", complete([(etag[0], None), (etag[1], crc(tail))]))
    report("complete-wrong", complete([(etag[0], bad), (etag[1], crc(tail))]))
    res = complete([(etag[0], good), (etag[1], crc(tail))])
    want = base64.b64encode(zlib.crc32(base64.b64decode(good) + base64.b64decode(crc(tail))).to_bytes(4, "big"))
    got = re.search(rb"<ChecksumCRC32>(.*?)</ChecksumCRC32>", res[3])
    print("complete-good", res[0], "composite", "ok" if got and got.group(1) == want + b"-2" else
          "wrong: %r, wanted %r" % (got and got.group(1), want + b"-2"))


if __name__ == "__main__":
    main()
