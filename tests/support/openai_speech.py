"""Reading what OpenAI's speech route returns: audio lengths, Server-Sent Events, headers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from openai import OpenAI
from openai._legacy_response import LegacyAPIResponse

from voxhub.audio.decode import decode_audio
from voxhub.client.sse import SSEDecoder
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.fake import FakeEngine
from voxhub.engines.tts.remote.engine import RemoteEngine

# OpenAI's output rate, which raw pcm is at
OPENAI_RATE = 24_000


def audio_seconds(data: bytes, fmt: str) -> float:
    """How long the audio in `data` plays: pcm by its size, every other format decoded."""
    if fmt == "pcm":
        assert len(data) % 2 == 0, "pcm is whole 16-bit samples"
        return len(data) / 2 / OPENAI_RATE
    return decode_audio(data).duration


def read_events(chunks: Iterable[bytes]) -> list[dict[str, Any]]:
    """The stream's events as an SSE client sees them: each one's JSON data, checked against
    its event name, with the audio of a delta decoded from base64 under `audio_bytes`."""
    decoder = SSEDecoder()
    events: list[dict[str, Any]] = []
    for chunk in chunks:
        for event in decoder.feed(chunk):
            data = json.loads(event.data)
            assert isinstance(data, dict) and data["type"] == event.event, event
            if "audio" in data:
                data["audio_bytes"] = base64.b64decode(data["audio"], validate=True)
            events.append(data)
    return events


def speak_raw(client: OpenAI, **request: Any) -> LegacyAPIResponse[Any]:
    """The raw answer to a speech request, for its headers (which voice spoke)."""
    return client.audio.speech.with_raw_response.create(**request)


def engine_of(pool: EnginePool, name: str) -> FakeEngine:
    """The pool's fake engine, whose knobs inject delays and failures."""
    engine = pool.get(name)
    assert isinstance(engine, FakeEngine)
    return engine


def remote_engine_of(pool: EnginePool) -> RemoteEngine:
    engine = pool.get("remote")
    assert isinstance(engine, RemoteEngine)
    return engine
