"""Callback signatures: HMAC-SHA256 over "<t>.<body>", checked in constant time and in time."""

from __future__ import annotations

import hashlib
import hmac
import re

from voxhub.services.webhooks.signing import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    delivery_headers,
    signature_header,
    verify,
)

SECRET = "s3cret"
BODY = '{"id":"abc","event":"job.succeeded","job":{"status":"succeeded","text":"你好"}}'.encode()
T = 1_767_225_600


def test_header_is_timestamp_and_hex_hmac_of_timestamp_dot_body() -> None:
    header = signature_header(SECRET, T, BODY)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"


def test_verify_accepts_the_signed_body_within_the_tolerance() -> None:
    header = signature_header(SECRET, T, BODY)
    assert verify(SECRET, BODY, header, now=T)
    assert verify(SECRET, BODY, header, now=T + 299)
    assert verify(SECRET, BODY, header, now=T - 299)


def test_verify_refuses_changes_other_secrets_and_old_signatures() -> None:
    header = signature_header(SECRET, T, BODY)
    assert not verify(SECRET, BODY + b" ", header, now=T)
    assert not verify("other", BODY, header, now=T)
    assert not verify(SECRET, BODY, header, now=T + 301)
    assert not verify(SECRET, BODY, header, tolerance=10, now=T + 11)
    # the timestamp is signed: moving it forward breaks the signature
    forged = header.replace(f"t={T}", f"t={T + 1000}")
    assert not verify(SECRET, BODY, forged, now=T + 1000)


def test_verify_refuses_malformed_headers() -> None:
    for header in ["", "t=,v1=", "v1=00", f"t={T}", f"t=x{T},v1=00", "garbage"]:
        assert not verify(SECRET, BODY, header, now=T)


def test_any_of_several_signatures_may_match_for_secret_rotation() -> None:
    old = signature_header("old", T, BODY).split(",")[1]
    new = signature_header(SECRET, T, BODY)
    assert verify(SECRET, BODY, f"{new},{old}", now=T)
    assert verify("old", BODY, f"{new},{old}", now=T)


def test_delivery_headers_carry_the_idempotency_id_event_and_attempt() -> None:
    headers = delivery_headers(SECRET, "d" * 32, "job.failed", 3, BODY, T)
    assert headers[DELIVERY_HEADER] == "d" * 32
    assert headers[EVENT_HEADER] == "job.failed"
    assert headers[ATTEMPT_HEADER] == "3"
    assert headers["Content-Type"] == "application/json"
    assert verify(SECRET, BODY, headers[SIGNATURE_HEADER], now=T)
    # without a secret the callback goes unsigned rather than signed with an empty key
    assert SIGNATURE_HEADER not in delivery_headers("", "d" * 32, "job.failed", 1, BODY, T)
