"""Request authentication: credentials from headers or the query string, checked by the gate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import Depends
from starlette.requests import HTTPConnection

from voxhub.access import Access
from voxhub.api.deps import get_container
from voxhub.services.auth.gate import Credentials, Gate

_STATE = "access"
# the route dependencies that check a key (require's, and current_access below)
_KEY_CHECKS: set[Callable[..., Any]] = set()


def gate_of(connection: HTTPConnection) -> Gate:
    return get_container(connection).gate


def credentials_of(connection: HTTPConnection) -> Credentials:
    header = connection.headers.get("x-api-key")
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        header = value.strip()
    return Credentials(
        header=header or None,
        query_token=connection.query_params.get("token"),
        query_key=connection.query_params.get("api_key"),
    )


def authenticate(connection: HTTPConnection, scope: str | None) -> Access:
    """The request's Access, checked once per request (blocking: it may read the database)."""
    found: Access | None = getattr(connection.state, _STATE, None)
    if found is None:
        found = gate_of(connection).admit(credentials_of(connection), connection.url.path, scope)
        setattr(connection.state, _STATE, found)
    else:
        gate_of(connection).check_scope(found, scope)
    return found


def require(scope: str | None) -> Any:
    """A route dependency: a valid key (or token) whose scopes include `scope`."""

    def dependency(connection: HTTPConnection) -> Access:
        return authenticate(connection, scope)

    dependency.__name__ = f"require_{scope or 'key'}"
    _KEY_CHECKS.add(dependency)
    return Depends(dependency)


def current_access(connection: HTTPConnection) -> Access:
    return authenticate(connection, None)


_KEY_CHECKS.add(current_access)


def is_key_check(call: Callable[..., Any]) -> bool:
    """Whether a route dependency checks the API key (401, 403 and 429 when keys are on)."""
    return call in _KEY_CHECKS


def metrics_access(connection: HTTPConnection) -> None:
    """/metrics: any key, or none when the settings open it to scrapers."""
    if not get_container(connection).settings.auth.public_metrics:
        authenticate(connection, None)


async def admit_websocket(connection: HTTPConnection, scope: str) -> Access:
    """For WebSocket routes, before the connection is accepted."""
    return await anyio.to_thread.run_sync(functools.partial(authenticate, connection, scope))


AccessDep = Annotated[Access, Depends(current_access)]
