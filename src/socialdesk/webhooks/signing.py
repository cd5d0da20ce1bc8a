"""How a delivery is signed, and how a receiver checks it (the README shows the same in Python).

`X-Socialdesk-Signature-256: sha256=<hex>` is the HMAC-SHA256, under the subscription's
secret, of `<timestamp>.<body>`, where `<timestamp>` is `X-Socialdesk-Timestamp` (Unix
seconds). A receiver recomputes it over the raw body, compares in constant time and refuses
a timestamp older than a few minutes, so a recorded delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE = "X-Socialdesk-Signature-256"
TIMESTAMP = "X-Socialdesk-Timestamp"
EVENT = "X-Socialdesk-Event"
EVENT_ID = "X-Socialdesk-Event-Id"
DELIVERY = "X-Socialdesk-Delivery"
TOLERANCE = 300  # seconds a receiver should accept between the timestamp and its clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def headers(
    *,
    secret: str,
    body: bytes,
    kind: str,
    event_id: str,
    delivery_id: int,
    now: float | None = None,
) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        EVENT: kind,
        EVENT_ID: event_id,
        DELIVERY: str(delivery_id),
        TIMESTAMP: str(timestamp),
        SIGNATURE: signature(secret, timestamp, body),
    }


def verify(
    secret: str, body: bytes, timestamp: str, signed: str, *, now: float | None = None
) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - stamp) > TOLERANCE:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), signed)
