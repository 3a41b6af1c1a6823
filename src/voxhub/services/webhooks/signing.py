"""Callback headers and their HMAC-SHA256 signature over "<timestamp>.<body>"."""

from __future__ import annotations

import hashlib
import hmac
import time

from voxhub import __version__

SIGNATURE_HEADER = "Voxhub-Signature"
DELIVERY_HEADER = "Voxhub-Delivery"
EVENT_HEADER = "Voxhub-Event"
ATTEMPT_HEADER = "Voxhub-Attempt"
# receivers should refuse signatures older (or newer) than this, against replays
TOLERANCE = 300.0


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<body>" with `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    body: bytes,
    header: str,
    tolerance: float = TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when `header` signs exactly `body` with `secret`, within `tolerance` seconds."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    # several v1 values are accepted, so a sender can sign with an old and a new secret
    return any(hmac.compare_digest(expected, value) for value in candidates)


def delivery_headers(
    secret: str, delivery_id: str, event: str, attempt: int, body: bytes, timestamp: int
) -> dict[str, str]:
    """Headers of one attempt; unsigned when no secret is configured."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"voxhub-webhooks/{__version__}",
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event,
        ATTEMPT_HEADER: str(attempt),
    }
    if secret:
        headers[SIGNATURE_HEADER] = signature_header(secret, timestamp, body)
    return headers
