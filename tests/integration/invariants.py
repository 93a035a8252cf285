#!/usr/bin/env python3
"""What must hold after every case of the fault matrix, asked of the sandbox
directly (not through the fault proxy) by one long-lived process, so that a
case costs one round trip instead of four aws CLI start-ups.

    invariants.py BUCKET APP ENV

For each line read on stdin, the sandbox's endpoint URL, prints one line:

    UPLOADS LABEL KEY LANDED

UPLOADS: multipart uploads open in BUCKET; LABEL: the version the
environment runs ("None" for none); KEY: that version's S3 key ("None");
LANDED: "yes" when the key is in the bucket, "no" when not, "none" when
the environment runs no version. On any error: "error MESSAGE".
Credentials and region come from the environment (the sandbox's IAM user).
"""
import os
import sys

import boto3
import botocore.exceptions


def main(bucket, app, env):
    region = os.environ.get("AWS_REGION", "us-east-1")
    clients = {}
    for line in sys.stdin:
        endpoint = line.strip()
        if endpoint not in clients:
            clients[endpoint] = (boto3.client("s3", endpoint_url=endpoint, region_name=region),
                                 boto3.client("elasticbeanstalk", endpoint_url=endpoint, region_name=region))
        s3, eb = clients[endpoint]
        try:
            uploads = len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
            envs = eb.describe_environments(ApplicationName=app, EnvironmentNames=[env])["Environments"]
            label = envs[0].get("VersionLabel") if envs else None
            key, landed = None, "none"
            if label:
                versions = eb.describe_application_versions(ApplicationName=app, VersionLabels=[label])
                found = versions["ApplicationVersions"]
                key = found[0]["SourceBundle"]["S3Key"] if found else None
                landed = "no"
                if key:
                    try:
                        s3.head_object(Bucket=bucket, Key=key)
                        landed = "yes"
                    except botocore.exceptions.ClientError:
                        pass
            print(uploads, label or "None", key or "None", landed, flush=True)
        except Exception as e:  # reported to the test, which fails the case
            print("error", str(e).replace("\n", " "), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
