"""Who am I, and short-lived tokens for browsers (EventSource, WebSocket, <audio src>)."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from voxhub.api.auth import AccessDep, gate_of, require
from voxhub.api.schemas.fields import JSON_BODY, Text
from voxhub.errors import InvalidInput

router = APIRouter(tags=["authentication"], dependencies=[require(None)])


class TokenRequest(BaseModel):
    model_config = JSON_BODY

    path: Text | None = Field(
        None,
        json_schema_extra={"pattern": "^/"},
        description="Good only for this URL path and below (a signed link), e.g. "
        "/v1/tts/jobs/ID/audio; any route when absent.",
    )
    seconds: int | None = Field(
        None, ge=1, description="Lifetime; at most VOXHUB_AUTH__TOKEN_SECONDS (the default)."
    )


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    expires_in: int
    # how to use it
    query: str


class WhoAmI(BaseModel):
    authentication: str
    key: str | None
    tenant: str | None
    admin: bool
    scopes: list[str]


@router.post("/v1/auth/tokens", response_model=TokenOut, summary="Mint a short-lived token")
async def mint_token(body: TokenRequest, request: Request, access: AccessDep) -> TokenOut:
    """A token acting for the calling key, for clients that cannot send headers: add it to a
    URL as `?token=...`. It stops working when it expires or the key is revoked."""
    if body.path is not None and not body.path.startswith("/"):
        raise InvalidInput("path is a URL path on this server, starting with '/'.")
    gate = gate_of(request)
    minted = await anyio.to_thread.run_sync(gate.mint, access, body.path, body.seconds)
    now = int(datetime.now(UTC).timestamp())
    return TokenOut(
        token=minted.token,
        expires_at=datetime.fromtimestamp(minted.expires, UTC),
        expires_in=max(0, minted.expires - now),
        query=f"token={minted.token}",
    )


@router.get("/v1/auth/whoami", response_model=WhoAmI, summary="The calling key")
async def whoami(request: Request, access: AccessDep) -> WhoAmI:
    enabled = gate_of(request).enabled
    return WhoAmI(
        authentication="keys" if enabled else "off",
        key=access.key,
        tenant=access.tenant,
        admin=access.admin,
        scopes=sorted(access.scopes),
    )
