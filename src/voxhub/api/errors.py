"""The one place where voxhub errors become HTTP responses and WebSocket frames or closes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from voxhub import errors

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
    errors.IdleTimeout: 1001,
}
# RFC 6455 allows 123 bytes of UTF-8 in a close reason
_WS_REASON_BYTES = 123


def status_for(error: errors.VoxhubError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


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
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.Overloaded) else None
    return JSONResponse(
        error_body(exc.code, exc.message), status_code=status_for(exc), headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for item in exc.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path"))
        problems.append(f"{where or 'request'}: {item.get('msg', 'invalid value')}")
    return JSONResponse(error_body("invalid_request", "; ".join(problems)), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.VoxhubError, _voxhub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
