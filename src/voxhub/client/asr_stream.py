"""A real-time recognition client: streams PCM16 to /v1/asr/stream or /ws/asr, sorts replies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np
import soundfile
import soxr
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

SAMPLE_RATE = 16_000
FUNASR_PATH = "/ws/asr"
# the close code of a connection refused for its key: missing, wrong, revoked, or without
# the asr scope
POLICY_VIOLATION = 1008

Message = dict[str, Any]


def load_pcm16(path: Path) -> bytes:
    """A sound file (any rate, any channels) as 16 kHz mono little-endian PCM16."""
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
    samples = mono if int(rate) == SAMPLE_RATE else soxr.resample(mono, int(rate), SAMPLE_RATE)
    pcm: bytes = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return pcm


class ClientDialect(Protocol):
    """How one protocol's client frames look, and what kind each server frame is."""

    name: str

    def start(self, language: str, partials: bool, engine: str | None) -> str: ...

    def audio(self, pcm: bytes) -> str | bytes: ...

    def stop(self) -> str: ...

    def reset(self) -> str: ...

    def ping(self) -> str: ...

    def kind(self, message: Message) -> str:
        """greeting, ready, partial, final, reset, error, pong or other."""
        ...


class StreamDialect:
    name = "voxhub"

    def start(self, language: str, partials: bool, engine: str | None) -> str:
        message: Message = {
            "type": "start",
            "sample_rate": SAMPLE_RATE,
            "format": "pcm16",
            "language": language,
            "partials": partials,
        }
        if engine:
            message["engine"] = engine
        return json.dumps(message)

    def audio(self, pcm: bytes) -> str | bytes:
        return pcm

    def stop(self) -> str:
        return json.dumps({"type": "stop"})

    def reset(self) -> str:
        return json.dumps({"type": "reset"})

    def ping(self) -> str:
        return json.dumps({"type": "ping"})

    def kind(self, message: Message) -> str:
        kind = message.get("type")
        known = ("ready", "partial", "final", "reset", "error", "pong")
        return kind if isinstance(kind, str) and kind in known else "other"


class FunASRDialect:
    name = "funasr"

    def start(self, language: str, partials: bool, engine: str | None) -> str:
        message: Message = {"type": "control", "command": "start", "timestamp": _ms()}
        if language != "auto":
            message["language"] = language
        if engine:
            message["engine"] = engine
        if not partials:
            message["partials"] = False
        return json.dumps(message)

    def audio(self, pcm: bytes) -> str | bytes:
        data = base64.b64encode(pcm).decode()
        return json.dumps({"type": "audio", "data": data, "timestamp": _ms()})

    def stop(self) -> str:
        return json.dumps({"type": "control", "command": "stop", "timestamp": _ms()})

    def reset(self) -> str:
        return json.dumps({"type": "control", "command": "reset", "timestamp": _ms()})

    def ping(self) -> str:
        return json.dumps({"type": "ping"})

    def kind(self, message: Message) -> str:
        kind = message.get("type")
        if kind == "status":
            if "connection_id" in message:
                return "greeting"
            if "session_id" in message:
                return "ready"
            if message.get("mode") == "final":
                return "final"
            return "reset"
        if kind == "result":
            return "partial" if message.get("mode") == "partial" else "final"
        return kind if kind in ("error", "pong") else "other"


def dialect_for(url: str) -> ClientDialect:
    """FunASR shapes for a URL ending in /ws/asr, voxhub's own otherwise."""
    if urlsplit(url).path.rstrip("/").endswith(FUNASR_PATH):
        return FunASRDialect()
    return StreamDialect()


@dataclass
class Utterance:
    """What one stop brought back."""

    final: Message
    # (seconds since the first audio frame, text) of every partial of the utterance
    partials: list[tuple[float, str]]
    # seconds from sending stop to receiving the final
    latency: float
    audio_seconds: float


@dataclass
class StreamClient:
    """One WebSocket; a reader task sorts the server's frames into a queue as they come."""

    ws: ClientConnection
    dialect: ClientDialect
    on_partial: Callable[[str], None] | None = None
    frames: asyncio.Queue[Message] = field(default_factory=asyncio.Queue)
    partials: list[tuple[float, str]] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None
    _audio_started: float = 0.0

    @classmethod
    async def open(
        cls,
        url: str,
        dialect: ClientDialect | None = None,
        on_partial: Callable[[str], None] | None = None,
        api_key: str | None = None,
    ) -> StreamClient:
        """Connect to `url`; `api_key` goes in the handshake's Authorization header (a server
        with keys on refuses a connection without one: an error frame, then close 1008)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        ws = await connect(url, open_timeout=10, max_size=2**22, additional_headers=headers)
        client = cls(ws, dialect or dialect_for(url), on_partial)
        client._reader = asyncio.create_task(client._read())
        return client

    async def __aenter__(self) -> StreamClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code

    @property
    def close_reason(self) -> str | None:
        return self.ws.close_reason

    async def send(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def next(self, kinds: set[str], within: float = 10.0) -> Message:
        """The next frame of one of `kinds` within `within` seconds, skipping others;
        TimeoutError if none comes, ConnectionError if the server closed the connection."""
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {'/'.join(sorted(kinds))} frame within {within:g} s")
            getter = asyncio.ensure_future(self.frames.get())
            closed = asyncio.ensure_future(self.closed.wait())
            done, _ = await asyncio.wait(
                {getter, closed}, timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            closed.cancel()
            if getter in done:
                message = getter.result()
                if self.dialect.kind(message) in kinds:
                    return message
                continue
            getter.cancel()
            if closed in done and self.frames.empty():
                raise ConnectionError(self._closed_because())

    def _closed_because(self) -> str:
        if self.close_code == POLICY_VIOLATION:
            return f"the server refused the API key ({self.close_code} {self.close_reason})"
        return f"the server closed the connection ({self.close_code} {self.close_reason})"

    async def silence(self, seconds: float) -> Message | None:
        """A frame that arrives within `seconds`, or None (partials count too)."""
        try:
            return await asyncio.wait_for(self.frames.get(), seconds)
        except TimeoutError:
            return None

    async def utterance(
        self, pcm: bytes, frame_ms: int = 100, realtime: bool = True, final_within: float = 60.0
    ) -> Utterance:
        """Stream `pcm` (16 kHz PCM16) in frames, paced in real time or as fast as possible,
        then stop and wait for the final."""
        loop = asyncio.get_running_loop()
        step = SAMPLE_RATE * 2 * frame_ms // 1000
        self.partials = []
        started = loop.time()
        self._audio_started = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm), step)):
            await self.send(self.dialect.audio(pcm[offset : offset + step]))
            if realtime:
                # an absolute schedule: sending never drifts behind real time
                await asyncio.sleep(max(started + (index + 1) * frame_ms / 1000 - loop.time(), 0))
            else:
                await asyncio.sleep(0)
        stopped = loop.time()
        await self.send(self.dialect.stop())
        final = await self.next({"final", "error"}, final_within)
        latency = loop.time() - stopped
        return Utterance(final, list(self.partials), latency, len(pcm) / 2 / SAMPLE_RATE)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = {"type": "unreadable", "raw": str(raw)[:200]}
                if not isinstance(message, dict):
                    message = {"type": "unreadable", "raw": str(raw)[:200]}
                if self.dialect.kind(message) == "partial":
                    text = str(message.get("text", ""))
                    self.partials.append((time.monotonic() - self._audio_started, text))
                    if self.on_partial is not None:
                        self.on_partial(text)
                self.frames.put_nowait(message)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()


def _ms() -> int:
    return int(time.time() * 1000)
