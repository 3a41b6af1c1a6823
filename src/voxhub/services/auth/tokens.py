"""Short-lived signed tokens for browsers, which cannot send headers on EventSource,
WebSocket or <audio src>: minted by an authenticated call, checked by HMAC."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voxhub.errors import Unauthenticated

PREFIX = "vxt_"
_MALFORMED = "The token is malformed; mint one with POST /v1/auth/tokens."


@dataclass(frozen=True, slots=True)
class TokenClaims:
    # the id of the key that minted the token: the token acts for that key while it is valid
    key_id: str
    expires: int
    # when set, the token is good only for URLs under this path (a signed link)
    path: str | None = None


class TokenSigner:
    def __init__(self, secret: Callable[[], bytes]) -> None:
        # read on first use: a server with authentication off never needs it
        self._secret_source = secret
        self._secret: bytes | None = None

    def mint(self, claims: TokenClaims) -> str:
        body = {"k": claims.key_id, "e": claims.expires}
        if claims.path is not None:
            body["p"] = claims.path
        payload = _encode(json.dumps(body, separators=(",", ":")).encode())
        return f"{PREFIX}{payload}.{self._sign(payload)}"

    def check(self, token: str, path: str, now: float | None = None) -> TokenClaims:
        """The token's claims if it is genuine, unexpired and covers `path`."""
        payload, dot, signature = token.removeprefix(PREFIX).partition(".")
        if not token.startswith(PREFIX) or not dot:
            raise Unauthenticated(_MALFORMED)
        if not hmac.compare_digest(self._sign(payload), signature):
            raise Unauthenticated("The token's signature does not match; mint a new one.")
        body = json.loads(_decode(payload))
        claims = TokenClaims(key_id=body["k"], expires=int(body["e"]), path=body.get("p"))
        if (time.time() if now is None else now) >= claims.expires:
            raise Unauthenticated("The token expired; mint a new one with POST /v1/auth/tokens.")
        if claims.path is not None and not _covers(claims.path, path):
            raise Unauthenticated(f"The token is only good for {claims.path}.")
        return claims

    def _sign(self, payload: str) -> str:
        if self._secret is None:
            self._secret = self._secret_source()
        mac = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return _encode(mac)


def load_secret(configured: str, data_dir: Path) -> bytes:
    """The configured secret, else one kept in the data directory (made once, mode 0600),
    which every API process on this host shares."""
    if configured:
        return configured.encode()
    path = data_dir / "auth" / "token.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        # link, not replace: when two processes race, the first key written wins for both
        try:
            os.link(fresh, path)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return path.read_text().strip().encode()


def _covers(prefix: str, path: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise Unauthenticated(
            "The token is malformed; mint one with POST /v1/auth/tokens."
        ) from exc
