"""The door every request passes: credentials to an Access, scopes and request limits."""

from __future__ import annotations

import time
from dataclasses import dataclass

from voxhub.access import EVERYONE, SCOPES, Access
from voxhub.errors import Forbidden, Unauthenticated
from voxhub.services.auth.keys import KeyRing
from voxhub.services.auth.limits import KeyLimiter
from voxhub.services.auth.tokens import PREFIX as TOKEN_PREFIX
from voxhub.services.auth.tokens import TokenClaims, TokenSigner


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carried: a header value (key or token) and query parameters."""

    header: str | None = None
    query_token: str | None = None
    query_key: str | None = None


@dataclass(frozen=True, slots=True)
class Minted:
    token: str
    expires: int


class Gate:
    def __init__(
        self,
        enabled: bool,
        keys: KeyRing,
        tokens: TokenSigner,
        limiter: KeyLimiter,
        token_seconds: int,
        query_keys: bool,
    ) -> None:
        self.enabled = enabled
        self.keys = keys
        self.limiter = limiter
        self._tokens = tokens
        self._token_seconds = token_seconds
        self._query_keys = query_keys

    def admit(self, credentials: Credentials, path: str, scope: str | None) -> Access:
        """The Access of a request to `path` needing `scope` (None: any valid credential),
        with one request counted against the key's per-minute limit (blocking)."""
        if not self.enabled:
            return EVERYONE
        access = self.identify(credentials, path)
        self.check_scope(access, scope)
        self.limiter.request(access)
        return access

    def check_scope(self, access: Access, scope: str | None) -> None:
        if not self.enabled or scope is None or access.admin or scope in access.scopes:
            return
        raise Forbidden(
            f"The key {access.key!r} has the scopes {', '.join(sorted(access.scopes))}; "
            f"this route needs {scope!r} (one of {', '.join(SCOPES)})."
        )

    def identify(self, credentials: Credentials, path: str) -> Access:
        if credentials.header:
            return self._resolve(credentials.header, path)
        if credentials.query_token:
            if credentials.query_token.startswith(TOKEN_PREFIX) or self._query_keys:
                return self._resolve(credentials.query_token, path)
            raise Unauthenticated(
                "?token= takes a token minted with POST /v1/auth/tokens; API keys go in the "
                "Authorization or X-API-Key header."
            )
        if credentials.query_key:
            if not self._query_keys:
                raise Unauthenticated(
                    "API keys are not accepted in URLs here; send the key in the Authorization "
                    "or X-API-Key header, or mint a token with POST /v1/auth/tokens."
                )
            return self._resolve(credentials.query_key, path)
        raise Unauthenticated(
            "This server needs an API key: send `Authorization: Bearer <key>` or "
            "`X-API-Key: <key>` (browsers: a token from POST /v1/auth/tokens as ?token=)."
        )

    def mint(self, access: Access, path: str | None, seconds: int | None) -> Minted:
        """A token acting for the key behind `access`, for `path` and below when given."""
        if access.key is None:
            raise Unauthenticated("Tokens are minted with an API key; authentication is off.")
        record = self.keys.named(access.key)
        lifetime = min(seconds or self._token_seconds, self._token_seconds)
        expires = int(time.time()) + lifetime
        return Minted(self._tokens.mint(TokenClaims(record.id, expires, path)), expires)

    def _resolve(self, value: str, path: str) -> Access:
        if value.startswith(TOKEN_PREFIX):
            claims = self._tokens.check(value, path)
            return self.keys.verify_id(claims.key_id).access
        return self.keys.verify(value).access
