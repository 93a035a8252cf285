#!/usr/bin/env python3
"""Time botocore building and signing the same UpdateEnvironment request as
bench/sign_bench.c. Prints nanoseconds of CPU time per signature (median of
rounds), as sign_bench does.

    sign_botocore.py [ITERATIONS] [ROUNDS] [params]

With "params" the request is built from the call's parameters each time,
by botocore's Query serializer and the Elastic Beanstalk service model, as
a boto3 client builds it (parameter validation left out), then signed."""
import statistics, sys, time
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, create_request_object, prepare_request_dict
from botocore.credentials import Credentials

iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
from_params = len(sys.argv) > 3 and sys.argv[3] == "params"
creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
url = "https://elasticbeanstalk.us-east-1.amazonaws.com/"
body = ("Action=UpdateEnvironment&ApplicationName=multi-docker&EnvironmentName=multi-docker-prod"
        "&VersionLabel=a1b2c3d&Version=2010-12-01")
params = {"ApplicationName": "multi-docker", "EnvironmentName": "multi-docker-prod", "VersionLabel": "a1b2c3d"}
if from_params:
    import botocore.session
    from botocore import serialize
    operation = botocore.session.get_session().get_service_model("elasticbeanstalk").operation_model(
        "UpdateEnvironment")
    serializer = serialize.create_serializer("query")


def build():
    if not from_params:
        return AWSRequest(method="POST", url=url, data=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    request_dict = serializer.serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=url)
    return create_request_object(request_dict)


per = []
for _ in range(rounds):
    t0 = time.thread_time_ns()
    for _ in range(iters):
        SigV4Auth(creds, "elasticbeanstalk", "us-east-1").add_auth(build())
    per.append((time.thread_time_ns() - t0) / iters)
print("%.0f" % statistics.median(per))
