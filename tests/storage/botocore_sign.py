"""Signs requests with botocore (the reference implementation) for the signer tests (botocore_signer.h).

Usage: /usr/bin/python3 botocore_sign.py CASES.json  ->  one line per case: "<name> <value>"
where value is the Authorization header, or the presigned URL for kind == "presign".
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedDatetime(datetime.datetime):
    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


def main():
    cases = json.load(open(sys.argv[1]))
    for case in cases:
        FixedDatetime.fixed = datetime.datetime.utcfromtimestamp(case["time"])
        botocore.auth.datetime.datetime = FixedDatetime
        creds = Credentials(case["access_key"], case["secret_key"], case.get("session_token") or None)
        request = AWSRequest(method=case["method"], url=case["url"], headers=case.get("headers", {}),
                             data=case.get("body", "").encode())
        request.context["payload_signing_enabled"] = not case.get("unsigned", False)
        s3 = case["service"] == "s3"
        if case["kind"] == "presign":
            cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
            cls(creds, case["service"], case["region"], expires=case["expires"]).add_auth(request)
            print(case["name"], request.url)
        else:
            cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
            cls(creds, case["service"], case["region"]).add_auth(request)
            print(case["name"], request.headers["Authorization"])


main()
