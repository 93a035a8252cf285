#!/usr/bin/env python3
"""Time botocore building and signing the same UpdateEnvironment request as
bench/sign_bench.c. Prints nanoseconds of CPU time per signature (median of
rounds), as sign_bench does."""
import statistics, sys, time
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
body = ("Action=UpdateEnvironment&ApplicationName=multi-docker&EnvironmentName=multi-docker-prod"
        "&VersionLabel=a1b2c3d&Version=2010-12-01")
per = []
for _ in range(rounds):
    t0 = time.thread_time_ns()
    for _ in range(iters):
        req = AWSRequest(method="POST", url="https://elasticbeanstalk.us-east-1.amazonaws.com/",
                         data=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(creds, "elasticbeanstalk", "us-east-1").add_auth(req)
    per.append((time.thread_time_ns() - t0) / iters)
print("%.0f" % statistics.median(per))
