"""Signing a webhook body: HMAC-SHA256 of the raw bytes under the endpoint's secret.

Receivers recompute ``hmac.new(secret, body, sha256).hexdigest()`` over the bytes they received
and compare it, in constant time, with the hex after ``sha256=`` in the signature header.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Datanets-Signature"
TIMESTAMP_HEADER = "X-Datanets-Timestamp"
EVENT_HEADER = "X-Datanets-Event"
EVENT_ID_HEADER = "X-Datanets-Event-Id"
DELIVERY_HEADER = "X-Datanets-Delivery"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header or "")
