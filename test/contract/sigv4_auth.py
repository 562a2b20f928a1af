"""schemathesis hooks of the contract test (test/contract/openapi.test.ts).

The published document declares SigV4 (IAM) authorization on the payment routes. This signs every generated
request the way an AWS SDK caller signs it for API Gateway (botocore's SigV4 signer, service execute-api), with
the local credential the local server accepts. It is registered as schemathesis's custom authentication, so the
`ignored_auth` check can still send the same request unsigned, or with a forged Authorization header, and expect
the 403 that API Gateway (and the local stand-in) answers.

Idempotency keys: the API's contract is that one Idempotency-Key names one request body (a retry repeats
both), and reusing a key with another body is answered 422, as the IETF Idempotency-Key draft says. schemathesis
keeps one header value while it varies the body, i.e. it acts as a client that breaks that contract. The
`before_call` hook makes it a correct client without changing what is tested: a valid key is replaced by another
valid key of the same length, derived from the key and the body, so the same key with the same body stays the
same (replays are still exercised) and only a different body gets a different key. Invalid keys (wrong length,
characters) are left as generated, so the header's own validation is still checked.
"""

import hashlib
import json
import os
import re
import string

import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDENTIALS = Credentials(os.environ["CONTRACT_ACCESS_KEY_ID"], os.environ["CONTRACT_SECRET_ACCESS_KEY"])
REGION = os.environ["CONTRACT_REGION"]
BASE_URL = os.environ["CONTRACT_BASE_URL"]

# runtime/payment-api/request.ts: IDEMPOTENCY_KEY_PATTERN.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
ALPHABET = string.ascii_letters + string.digits


def body_bound_key(key, body):
    """A valid key of len(key) characters determined by the key and the body."""
    seed = (key + "\0" + json.dumps(body, sort_keys=True, default=str)).encode("utf-8")
    out = b""
    while len(out) < len(key):
        seed = hashlib.sha256(seed).digest()
        out += seed
    return "".join(ALPHABET[b % len(ALPHABET)] for b in out[: len(key)])


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and KEY_PATTERN.match(value):
            headers[name] = body_bound_key(value, case.body)


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
