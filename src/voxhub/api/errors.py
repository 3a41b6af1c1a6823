"""The one place where voxhub errors become HTTP responses and WebSocket frames or closes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from voxhub import errors
from voxhub.api.route_table import http_routes

# The body an error is written as: (status, code, message) -> JSON. voxhub's own routes use
# `error_body`; each replaced service's routes answer in that service's shape (FastAPI's
# `{"detail": …}`, an envelope, OpenAI's error object), with the same status codes.
ErrorShape = Callable[[int, str, str], dict[str, Any]]
_SHAPE_KEY = "voxhub.error_shape"
_STATUSES_KEY = "voxhub.error_statuses"

# the most specific class wins: lookups walk each error's MRO
STATUS_BY_ERROR: dict[type[errors.VoxhubError], int] = {
    errors.InvalidInput: 422,
    errors.TextTooLong: 413,
    errors.PayloadTooLarge: 413,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.EngineUnavailable: 503,
    errors.RemoteTimeout: 504,
    errors.StorageUnavailable: 503,
    errors.Overloaded: 429,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.DeadlineExceeded: 408,
    errors.SynthesisCancelled: 499,
    errors.StreamProtocolError: 400,
    errors.FrameTooLarge: 413,
    errors.UtteranceTooLong: 413,
    errors.IdleTimeout: 408,
    errors.VoxhubError: 500,
}

# WebSocket: these errors close the connection with a close code (the reason carries the
# error code and message); every other error is answered with an `error` frame and the
# connection stays usable
WS_CLOSE_BY_ERROR: dict[type[errors.VoxhubError], int] = {
    errors.Overloaded: 1013,
    # policy violation: the connection is refused before any audio is taken
    errors.Unauthenticated: 1008,
    errors.Forbidden: 1008,
    errors.IdleTimeout: 1001,
}
# RFC 6455 allows 123 bytes of UTF-8 in a close reason
_WS_REASON_BYTES = 123


def status_for(error: errors.VoxhubError) -> int:
    return status_of(type(error))


def status_of(error_class: type[errors.VoxhubError]) -> int:
    """The status errors of `error_class` are answered with (before a family renames it)."""
    for cls in error_class.__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable, e.g. voice_not_found.")
    message: str = Field(description="What went wrong and what to do about it.")


class ErrorOut(BaseModel):
    """The error body of voxhub's own routes."""

    error: ErrorDetail


class DetailOut(BaseModel):
    """The error body of the replaced FastAPI services (IndexTTS, GLM-TTS, FunASR)."""

    detail: str


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def voxhub_shape(status: int, code: str, message: str) -> dict[str, Any]:
    return error_body(code, message)


def detail_shape(status: int, code: str, message: str) -> dict[str, Any]:
    """FastAPI's own error body, which the replaced Python services answered with."""
    return {"detail": message}


def shaped_routes(
    shape: ErrorShape,
    statuses: Mapping[int, int] | None = None,
    body: type[BaseModel] | None = None,
) -> type[APIRoute]:
    """A route class whose errors are written in `shape`: `APIRouter(route_class=...)`.

    `statuses` renames status codes for a family whose clients branch on other ones (OpenAI's
    SDK raises BadRequestError for 400 where voxhub answers 422); the mapping from error class
    to status stays the one above. `body` is the model of `shape`'s bodies, for the OpenAPI
    document (DetailOut for `detail_shape` when not given).
    """
    renamed = dict(statuses or {})
    documented = body or (DetailOut if shape is detail_shape else None)

    class ShapedRoute(APIRoute):
        error_body = documented
        error_statuses = renamed

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def shaped(request: Request) -> Response:
                # the app's exception handlers read the shape from the request's scope
                request.scope[_SHAPE_KEY] = shape
                request.scope[_STATUSES_KEY] = renamed
                return await handler(request)

            return shaped

    return ShapedRoute


def _shape_of(request: Request) -> ErrorShape:
    shape: ErrorShape = request.scope.get(_SHAPE_KEY, voxhub_shape)
    return shape


def _status_in(request: Request, status: int) -> int:
    renamed: Mapping[int, int] = request.scope.get(_STATUSES_KEY, {})
    return renamed.get(status, status)


def error_response(scope: Scope, error: errors.VoxhubError) -> JSONResponse:
    """`error` as the request's route family answers it (its shape, its status codes); for
    ASGI middleware too, once the route has been found (the scope then says which)."""
    shape: ErrorShape = scope.get(_SHAPE_KEY, voxhub_shape)
    renamed: Mapping[int, int] = scope.get(_STATUSES_KEY, {})
    status = renamed.get(status_for(error), status_for(error))
    body = shape(status, error.code, error.message)
    return JSONResponse(body, status_code=status, headers=_headers_of(error))


def ws_close_code(error: errors.VoxhubError) -> int | None:
    """The close code `error` ends a WebSocket with, or None when the connection stays open."""
    for cls in type(error).__mro__:
        if cls in WS_CLOSE_BY_ERROR:
            return WS_CLOSE_BY_ERROR[cls]
    return None


def ws_error_frame(error: errors.VoxhubError) -> dict[str, str]:
    return {"type": "error", "code": error.code, "message": error.message}


def ws_close_reason(error: errors.VoxhubError) -> str:
    """`code: message`, with a retry hint for overload, cut to what a close frame can carry."""
    reason = f"{error.code}: {error.message}"
    if isinstance(error, errors.Overloaded):
        reason = f"{error.code}: retry_after={error.retry_after}; {error.message}"
    encoded = reason.encode()
    if len(encoded) <= _WS_REASON_BYTES:
        return reason
    return encoded[: _WS_REASON_BYTES - 3].decode(errors="ignore") + "..."


async def _voxhub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.VoxhubError)
    return error_response(request.scope, exc)


def _headers_of(error: errors.VoxhubError) -> dict[str, str] | None:
    if isinstance(error, errors.Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="voxhub"'}
    if not isinstance(error, errors.Overloaded):
        return None
    headers = {"Retry-After": str(error.retry_after)}
    if isinstance(error, errors.RateLimited):
        headers["X-RateLimit-Limit"] = str(error.limit)
        headers["X-RateLimit-Remaining"] = str(error.remaining)
        headers["X-RateLimit-Reset"] = str(error.reset)
    return headers


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for item in exc.errors():
        loc = tuple(item.get("loc", ()))
        # where the value was (body, query, path, header) goes; a field may be called "path"
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        where = ".".join(str(p) for p in loc)
        problems.append(f"{where or 'request'}: {item.get('msg', 'invalid value')}")
    status = _status_in(request, 422)
    body = _shape_of(request)(status, "invalid_request", "; ".join(problems))
    return JSONResponse(body, status_code=status)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    body = _shape_of(request)(exc.status_code, code, str(exc.detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # every method of the path, not only those of the first route that matched it
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return JSONResponse(body, status_code=exc.status_code, headers=headers or None)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The HTTP methods the app's routes answer at `path` (HEAD with every GET)."""
    methods: set[str] = set()
    for route in http_routes(app):
        if route.path_regex.match(path):
            methods |= route.methods
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.VoxhubError, _voxhub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
