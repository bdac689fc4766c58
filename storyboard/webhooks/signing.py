"""How a delivery is signed, and how a receiver checks it (the same code docs/webhooks.md
shows). Pure Python: a receiver needs nothing of this project.

What is signed: the bytes `<timestamp>.` followed by the raw request body, where the timestamp
is the X-Storyboard-Timestamp header (Unix seconds, as ASCII digits). The signature header is
`X-Storyboard-Signature: sha256=<hex HMAC-SHA256 of those bytes, keyed with the secret>`.
Signing the timestamp with the body is what stops a captured request being replayed later: a
receiver refuses a timestamp older than its tolerance, and cannot be fooled by a changed one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TIMESTAMP_HEADER = "X-Storyboard-Timestamp"
SIGNATURE_HEADER = "X-Storyboard-Signature"
EVENT_HEADER = "X-Storyboard-Event"
DELIVERY_HEADER = "X-Storyboard-Delivery"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


class SignatureInvalid(Exception):
    pass


def verify(secret: str, body: bytes, timestamp_header: str | None, signature_header: str | None,
           *, tolerance: int = TOLERANCE_SECONDS, now: float | None = None) -> None:
    """A receiver's check: raises SignatureInvalid unless the signature is the secret's over
    this timestamp and body, and the timestamp is within `tolerance` seconds of now."""
    if not timestamp_header or not timestamp_header.isdigit():
        raise SignatureInvalid("missing or malformed X-Storyboard-Timestamp")
    timestamp = int(timestamp_header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid("timestamp outside the tolerance: a replay or a wrong clock")
    expected = signature(secret, timestamp, body)
    if not signature_header or not hmac.compare_digest(expected, signature_header):
        raise SignatureInvalid("signature does not match")
