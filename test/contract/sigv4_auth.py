"""schemathesis hooks of the contract test (test/contract/openapi.test.ts).

The published document declares SigV4 (IAM) authorization on the payment routes. This signs every generated
request the way an AWS SDK caller signs it for API Gateway (botocore's SigV4 signer, service execute-api), with
the local credential the local server accepts. It is registered as schemathesis's custom authentication, so the
`ignored_auth` check can still send the same request unsigned, or with a forged Authorization header, and expect
the 403 that API Gateway (and the local stand-in) answers.
"""

import os

import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDENTIALS = Credentials(os.environ["CONTRACT_ACCESS_KEY_ID"], os.environ["CONTRACT_SECRET_ACCESS_KEY"])
REGION = os.environ["CONTRACT_REGION"]
BASE_URL = os.environ["CONTRACT_BASE_URL"]


@schemathesis.auth()
class SigV4:
    def get(self, case, ctx):
        return CREDENTIALS

    def set(self, case, data, ctx):
        # Sign exactly what requests will send: prepare the request from the same keyword arguments.
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        allowed = {"method", "url", "headers", "params", "data", "json", "files", "cookies"}
        prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in allowed}).prepare()
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        # Only host and x-amz-date are signed: headers schemathesis adds later cannot break the signature.
        aws = AWSRequest(method=prepared.method, url=prepared.url, data=body, headers={})
        SigV4Auth(data, "execute-api", REGION).add_auth(aws)
        if case.headers is None:
            case.headers = {}
        case.headers["Authorization"] = aws.headers["Authorization"]
        case.headers["X-Amz-Date"] = aws.headers["X-Amz-Date"]
