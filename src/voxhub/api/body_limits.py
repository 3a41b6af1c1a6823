"""Request bodies bounded before they are read, each route's limit from settings (413)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxhub.api.errors import error_response
from voxhub.errors import PayloadTooLarge
from voxhub.settings import Settings

_JSON_SETTING = "VOXHUB_SERVER__MAX_JSON_BYTES"


@dataclass(frozen=True)
class BodyLimit:
    bytes: int
    # the settings that make it, named in the 413
    source: str


@dataclass(frozen=True)
class BodyLimits:
    """The limit of every path: an upload route's own, else the one of JSON bodies."""

    default: BodyLimit
    paths: Mapping[str, BodyLimit] = field(default_factory=dict)

    def of(self, path: str) -> BodyLimit:
        return self.paths.get(path.rstrip("/") or "/", self.default)


def body_limits(settings: Settings) -> BodyLimits:
    """Upload routes take their file's limit plus the JSON limit for their other fields."""
    json = settings.server.max_json_bytes

    def upload(file_bytes: int, setting: str) -> BodyLimit:
        return BodyLimit(file_bytes + json, f"{setting} for the file plus {_JSON_SETTING}")

    audio = upload(settings.asr.max_upload_bytes, "VOXHUB_ASR__MAX_UPLOAD_BYTES")
    reference = upload(settings.voices.max_reference_bytes, "VOXHUB_VOICES__MAX_REFERENCE_BYTES")
    return BodyLimits(
        default=BodyLimit(json, _JSON_SETTING),
        paths={
            "/v1/asr/transcriptions": audio,
            "/v1/audio/transcriptions": audio,
            # a cloning template's reference recording
            "/v1/voices": reference,
            # GLM-TTS's form may carry a prompt recording, bounded like a reference
            "/api/v1/tts": reference,
        },
    )


class BodyLimitMiddleware:
    """Pure ASGI: the body is never held here, only counted on its way to the route.

    The limit is applied when the route asks for the body, the first thing a route that
    takes one does (before its dependencies run): the route's error shape is known by then,
    and a declared Content-Length over the limit is refused before a byte of it is read (an
    `Expect: 100-continue` client is not even told to send it); a body without one is
    counted as it streams and cut off at the limit. A route that never reads the body
    answers as usual."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self._app = app
        self._limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        await _Counted(self._app, self._limits.of(scope["path"])).run(scope, receive, send)


class _Counted:
    """One request, its body counted as the route reads it. Past the limit the route's read
    fails, and whatever the route answers to that is replaced by the 413."""

    def __init__(self, app: ASGIApp, limit: BodyLimit) -> None:
        self._app = app
        self._limit = limit
        self._received = 0
        self._error: PayloadTooLarge | None = None
        self._started = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)

        async def counted() -> Message:
            if self._started:
                # an answering route only listens for the client leaving
                return await receive()
            if self._error is None and declared is not None and declared > self._limit.bytes:
                self._error = _too_large(scope, self._limit, f"of {declared:,} bytes ")
            if self._error is not None:
                raise self._error
            message = await receive()
            if message["type"] == "http.request":
                self._received += len(message.get("body", b""))
                if self._received > self._limit.bytes:
                    self._error = _too_large(scope, self._limit, "")
                    raise self._error
            return message

        async def sending(message: Message) -> None:
            if self._error is not None and not self._started:
                return
            if message["type"] == "http.response.start":
                self._started = True
            await send(message)

        try:
            await self._app(scope, counted, sending)
        except Exception:
            if self._error is None or self._started:
                raise
        if self._error is not None and not self._started:
            await error_response(scope, self._error)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared body size; None without one (chunked) or when it is not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def _too_large(scope: Scope, limit: BodyLimit, size: str) -> PayloadTooLarge:
    route = f"{scope.get('method', 'POST')} {scope['path']}"
    return PayloadTooLarge(
        f"The request body {size}is over the {limit.bytes:,}-byte limit of {route} "
        f"(set by {limit.source})."
    )
