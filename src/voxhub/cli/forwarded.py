"""What a trusted reverse proxy says about the client: address, scheme and host."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# a host name, IPv4 or bracketed IPv6 address, with an optional port
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


class ForwardedHeaders:
    """uvicorn's X-Forwarded-For and X-Forwarded-Proto handling, plus X-Forwarded-Host: from
    a trusted proxy (`trusted`: addresses or networks, comma-separated, "*" for any), the
    host it names replaces the request's Host, so the links voxhub returns (audio URLs, job
    links) point at the proxy the client called."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        # uvicorn's own middleware, typed with its stricter ASGI types
        self._proxy: Any = ProxyHeadersMiddleware(app, trusted)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            client = scope.get("client")
            if (client[0] if client else None) in self._proxy.trusted_hosts:
                scope = with_forwarded_host(scope)
        await self._proxy(scope, receive, send)


def with_forwarded_host(scope: Scope) -> Scope:
    """`scope` with its Host header taken from X-Forwarded-Host (the first proxy's), if any."""
    headers = list(scope["headers"])
    forwarded = next((value for name, value in headers if name == b"x-forwarded-host"), None)
    if forwarded is None:
        return scope
    host = forwarded.decode("latin-1").split(",")[0].strip()
    if not _HOST.fullmatch(host):
        return scope  # not a host: ignored rather than copied into links
    kept = [(name, value) for name, value in headers if name != b"host"]
    return {**scope, "headers": [(b"host", host.encode("latin-1")), *kept]}
