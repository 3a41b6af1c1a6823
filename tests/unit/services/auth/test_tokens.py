"""Browser tokens: signed, expiring, optionally bound to a path, and their shared secret."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from voxhub.errors import Unauthenticated
from voxhub.services.auth.tokens import TokenClaims, TokenSigner, load_secret


def signer(secret: bytes = b"s" * 32) -> TokenSigner:
    return TokenSigner(lambda: secret)


def test_a_token_carries_its_claims_until_it_expires() -> None:
    now = time.time()
    token = signer().mint(TokenClaims("abc", int(now) + 60))
    assert token.startswith("vxt_")
    claims = signer().check(token, "/v1/events", now=now)
    assert claims == TokenClaims("abc", int(now) + 60, None)
    with pytest.raises(Unauthenticated, match="expired"):
        signer().check(token, "/v1/events", now=now + 61)


def test_a_path_token_covers_that_path_and_below_only() -> None:
    now = time.time()
    token = signer().mint(TokenClaims("abc", int(now) + 60, "/v1/tts/jobs/j1"))
    for path in ("/v1/tts/jobs/j1", "/v1/tts/jobs/j1/audio", "/v1/tts/jobs/j1/events"):
        signer().check(token, path, now=now)
    for path in ("/v1/tts/jobs/j10", "/v1/tts/jobs", "/v1/voices"):
        with pytest.raises(Unauthenticated, match="only good for"):
            signer().check(token, path, now=now)


def test_tampered_or_foreign_tokens_are_refused() -> None:
    now = time.time()
    token = signer().mint(TokenClaims("abc", int(now) + 60))
    payload, signature = token.removeprefix("vxt_").split(".")
    forged = signer(b"other").mint(TokenClaims("root", int(now) + 600))
    for bad in (forged, f"vxt_{payload}.{signature[:-2]}xx", "vxt_nodot", "vxk_abc_def"):
        with pytest.raises(Unauthenticated):
            signer().check(bad, "/", now=now)


def test_the_secret_is_made_once_private_and_shared(tmp_path: Path) -> None:
    first = load_secret("", tmp_path)
    assert load_secret("", tmp_path) == first
    assert len(first) == 64
    assert os.stat(tmp_path / "auth" / "token.key").st_mode & 0o777 == 0o600
    assert load_secret("configured", tmp_path) == b"configured"
