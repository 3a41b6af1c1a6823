"""WS /v1/asr/stream: push-to-talk recognition with JSON control frames and PCM16 audio.

Client frames: `start` {sample_rate, format "pcm16", language zh|en|auto, partials, hotwords,
engine?} → `ready`; binary little-endian PCM16 mono audio; `stop` → `final` (the connection
stays open for the next utterance); `reset` → `reset` (the utterance is dropped); `ping` →
`pong`. A second `start` replaces the stream. Server frames also include `partial` {text} as
they come and `error` {code, message}; an error frame leaves the connection usable, except
for the close codes 1013 (over max_connections, the reason carries `retry_after=N`) and 1001
(idle timeout). An utterance that reaches max_utterance_seconds gets an `utterance_too_long`
error and its `final`; the audio after the limit starts the next utterance.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, WebSocket

from voxhub.api.auth import require
from voxhub.api.deps import streams_of
from voxhub.api.errors import ws_error_frame
from voxhub.api.ws.connection import (
    Audio,
    Command,
    Frame,
    Ping,
    Reset,
    Start,
    Stop,
    serve_stream,
    transcript_fields,
)
from voxhub.api.ws.messages import json_object, start_request
from voxhub.engines.asr.base import Transcript
from voxhub.errors import InvalidMessage, UnknownMessageType, VoxhubError
from voxhub.services.recognition.session import StreamInfo
from voxhub.services.recognition.streams import ASRStreams

router = APIRouter(tags=["speech recognition"])


class StreamDialect:
    """The message shapes of WS /v1/asr/stream."""

    def parse(self, text: str | None, data: bytes | None) -> Command:
        if data is not None:
            return Audio(data)
        fields = json_object(text or "")
        kind = fields.get("type")
        if not isinstance(kind, str):
            raise InvalidMessage(
                'A control frame needs a "type": start, stop, reset or ping; audio goes in '
                "binary frames."
            )
        if kind == "start":
            return Start(start_request(fields))
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        raise UnknownMessageType(
            f"Unknown message type {kind!r}: use start, stop, reset or ping (audio goes in "
            "binary frames)."
        )

    def greeting(self, connection_id: str) -> Frame | None:
        return None

    def ready(self, info: StreamInfo) -> Frame:
        return {
            "type": "ready",
            "session_id": info.id,
            "engine": info.engine,
            "sample_rate": info.sample_rate,
            "engine_sample_rate": info.engine_sample_rate,
            "language": info.language,
            "partials": info.partials,
            "incremental": info.incremental,
            "hotwords": info.hotwords_applied,
            "max_utterance_seconds": info.max_utterance_seconds,
        }

    def partial(self, text: str) -> Frame:
        return {"type": "partial", "text": text}

    def final(self, transcript: Transcript, requested: bool) -> Frame:
        return {"type": "final", **transcript_fields(transcript)}

    def reset(self, info: StreamInfo) -> Frame:
        return {"type": "reset", "session_id": info.id}

    def pong(self) -> Frame:
        return {"type": "pong"}

    def error(self, error: VoxhubError, command: Command | None) -> Frame | None:
        return ws_error_frame(error)


_SIMPLE: dict[str, Command] = {"stop": Stop(), "reset": Reset(), "ping": Ping()}
_DIALECT = StreamDialect()


@router.websocket("/v1/asr/stream")
async def asr_stream(websocket: WebSocket) -> None:
    await serve_stream(websocket, streams_of(websocket), _DIALECT)


@router.get(
    "/v1/asr/engines",
    summary="Speech recognition engines of this server",
    dependencies=[require("asr")],
)
async def asr_engines(request: Request) -> dict[str, Any]:
    """Enabled engines, the default one, and the capabilities of those already loaded."""
    streams: ASRStreams = streams_of(request)
    loaded = streams.engines.loaded()
    return {
        "default": streams.settings.default,
        "engines": [
            {
                "name": name,
                "loaded": name in loaded,
                **(
                    {
                        "languages": sorted(loaded[name].capabilities.languages),
                        "incremental": loaded[name].capabilities.incremental,
                        "hotwords": loaded[name].capabilities.hotwords,
                    }
                    if name in loaded
                    else {}
                ),
            }
            for name in streams.engines.enabled
        ],
    }
