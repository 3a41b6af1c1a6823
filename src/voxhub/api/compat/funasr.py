"""The FunASR real-time service's routes: WS /ws/asr, GET /stats, GET / and WS / (the runtime).

Client frames: {"type": "control", "command": "start" | "stop" | "reset"} (start may also
carry sample_rate, language, engine, hotwords and partials; the defaults are 16 kHz and
automatic language) and {"type": "audio", "data": base64 PCM16}; binary frames are audio too.
Server frames: on connect {"type": "status", "code": 200, "message", "connection_id"}; one
`status` per command, the one answering `stop` carrying the final transcript (mode "final",
text, segments, words); partials as {"type": "result", "mode": "partial", "text"}; errors as
{"type": "error", "code": HTTP-like status, "error": voxhub's code, "message"}. As in that
service, audio before `start` is ignored without an answer, and `stop` or `reset` with
nothing to finish is simply acknowledged. Limits and sessions are those of /v1/asr/stream.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket

from voxhub import __version__
from voxhub.api.auth import require
from voxhub.api.compat.funasr_runtime import SUBPROTOCOL, RuntimeDialect
from voxhub.api.deps import streams_of
from voxhub.api.errors import detail_shape, shaped_routes, status_for
from voxhub.api.routes import console
from voxhub.api.schemas import media
from voxhub.api.ws.connection import (
    Audio,
    Command,
    Frame,
    Ping,
    Reset,
    Start,
    Stop,
    offered_subprotocols,
    serve_stream,
    transcript_fields,
)
from voxhub.api.ws.messages import json_object, start_request
from voxhub.api.ws.negotiate import FirstMessageDialect
from voxhub.engines.asr.base import Transcript
from voxhub.errors import (
    InvalidAudioFrame,
    InvalidMessage,
    NoAudio,
    StreamNotStarted,
    UnknownMessageType,
    VoxhubError,
)
from voxhub.services.recognition.session import StreamInfo

# the FunASR service was a FastAPI app: its errors were {"detail": …}
router = APIRouter(tags=["compatibility"], route_class=shaped_routes(detail_shape))

# the FunASR service's own status messages, which its clients display
_CONNECTED = "连接成功，语音识别已就绪"
_STARTED = "开始录音"
_STOPPED = "停止录音"
_RESET = "重置成功"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _status(message: str, **fields: Any) -> Frame:
    return {"type": "status", "code": 200, "message": message, **fields, "timestamp": _now_ms()}


class FunASRDialect:
    """The message shapes of the FunASR push-to-talk service."""

    def recognizes(self, text: str) -> bool:
        try:
            fields = json.loads(text)
        except ValueError:
            return False
        return isinstance(fields, dict) and "type" in fields

    def parse(self, text: str | None, data: bytes | None) -> Command:
        if data is not None:
            return Audio(data)
        fields = json_object(text or "")
        kind = fields.get("type")
        if kind == "audio":
            return Audio(_audio_data(fields.get("data")))
        if kind == "control":
            command = fields.get("command")
            if command == "start":
                return Start(start_request(fields, where="control"))
            if command == "stop":
                return Stop()
            if command == "reset":
                return Reset()
            raise UnknownMessageType(
                f"Unknown control command {command!r}: use start, stop or reset."
            )
        if kind == "ping":
            return Ping()
        raise UnknownMessageType(f"Unknown message type {kind!r}: use control or audio.")

    def greeting(self, connection_id: str) -> Frame | None:
        return _status(_CONNECTED, connection_id=connection_id)

    def ready(self, info: StreamInfo) -> Frame:
        return _status(
            _STARTED, session_id=info.id, engine=info.engine, sample_rate=info.sample_rate
        )

    def partial(self, text: str) -> Frame:
        return {"type": "result", "mode": "partial", "text": text, "timestamp": _now_ms()}

    def final(self, transcript: Transcript, requested: bool) -> Frame:
        return _status(_STOPPED, mode="final", **transcript_fields(transcript))

    def reset(self, info: StreamInfo) -> Frame:
        return _status(_RESET)

    def pong(self) -> Frame:
        return {"type": "pong", "timestamp": _now_ms()}

    def error(self, error: VoxhubError, command: Command | None) -> Frame | None:
        if isinstance(error, StreamNotStarted) and isinstance(command, Audio):
            return None
        if isinstance(error, StreamNotStarted | NoAudio) and isinstance(command, Stop):
            return _status(_STOPPED, mode="final", text="")
        if isinstance(error, StreamNotStarted) and isinstance(command, Reset):
            return _status(_RESET)
        return {
            "type": "error",
            "code": status_for(error),
            "error": error.code,
            "message": error.message,
            "timestamp": _now_ms(),
        }


def _audio_data(data: Any) -> bytes:
    if data is None or data == "":
        return b""
    if not isinstance(data, str):
        raise InvalidMessage("audio.data must be base64-encoded PCM16 in a string.")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidAudioFrame("audio.data is not valid base64 (PCM16 audio).") from None


_DIALECT = FunASRDialect()


@router.websocket("/ws/asr")
async def funasr_stream(websocket: WebSocket) -> None:
    """The service's protocol, and FunASR's runtime protocol (`funasr_runtime`) for a client
    whose first text frame is one of its messages."""
    runtime = RuntimeDialect()
    # FunASR's runtime clients ask for the "binary" subprotocol: they get no greeting
    if SUBPROTOCOL in offered_subprotocols(websocket):
        dialect = FirstMessageDialect(runtime, _DIALECT)
    else:
        dialect = FirstMessageDialect(_DIALECT, runtime)
    await serve_stream(websocket, streams_of(websocket), dialect, SUBPROTOCOL)


@router.websocket("/")
async def funasr_runtime(websocket: WebSocket) -> None:
    """FunASR's runtime protocol, where its own server (funasr-wss-server) serves it."""
    await serve_stream(websocket, streams_of(websocket), RuntimeDialect(), SUBPROTOCOL)


@router.get(
    "/",
    summary="FunASR-compatible service description, or the web console for browsers",
    responses={
        200: {
            "description": "The service description (JSON), or the console's page (HTML).",
            "content": {console.JSON: {"schema": {"type": "object"}}, console.HTML: media.TEXT},
        }
    },
)
async def funasr_root(request: Request, response: Response) -> Any:
    """What the FunASR service answered at its root: name, version, status and endpoints.

    A browser (Accept preferring text/html) gets the web console instead; clients asking
    for JSON, `*/*` or nothing keep this document."""
    if console.prefers_html(request.headers.get("accept")):
        return console.console_page()
    response.headers.update(console.VARY)
    streams = streams_of(request)
    figures = streams.figures()
    return {
        "service": "FunASR real-time speech recognition",
        "implementation": "voxhub",
        "version": __version__,
        "status": "running",
        "model": streams.settings.default,
        "active_connections": figures["active_connections"],
        "max_connections": figures["max_connections"],
        "endpoints": {
            "websocket": "/ws/asr",
            "funasr_runtime_websocket": "/",
            "health": "/health",
            "stats": "/stats",
            "test": "/test",
        },
    }


@router.get(
    "/stats",
    summary="FunASR-compatible real-time recognition statistics",
    dependencies=[require(None)],
)
async def funasr_stats(request: Request) -> dict[str, Any]:
    streams = streams_of(request)
    return {
        **streams.figures(),
        "model": streams.settings.default,
        "device": "cpu",
        "sample_rate": 16_000,
    }
