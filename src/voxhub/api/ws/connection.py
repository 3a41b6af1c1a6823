"""One real-time recognition WebSocket: limits, commands, answers; message shapes by dialect."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import WebSocket
from starlette.websockets import WebSocketState

from voxhub.api.auth import admit_websocket, gate_of
from voxhub.api.errors import ws_close_code, ws_close_reason
from voxhub.engines.asr.base import RecognizedWord, Transcript
from voxhub.errors import (
    FrameTooLarge,
    IdleTimeout,
    StreamNotStarted,
    UtteranceTooLong,
    VoxhubError,
)
from voxhub.services.recognition.limits import ConnectionTicket
from voxhub.services.recognition.session import StreamInfo, StreamSession
from voxhub.services.recognition.streams import ASRStreams, StreamRequest

log = logging.getLogger("voxhub.asr")

Frame = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Start:
    request: StreamRequest


@dataclass(frozen=True, slots=True)
class Audio:
    pcm: bytes


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class Reset:
    pass


@dataclass(frozen=True, slots=True)
class Ping:
    pass


Command = Start | Audio | Stop | Reset | Ping


class Dialect(Protocol):
    """How one protocol's messages look; the connection logic is the same for all.

    A method answering None sends nothing: a protocol need not answer every command.
    """

    def parse(self, text: str | None, data: bytes | None) -> Command | None:
        """A client frame as a command (None: it asks for nothing); raises a
        StreamProtocolError naming the problem."""
        ...

    def greeting(self, connection_id: str) -> Frame | None: ...

    def ready(self, info: StreamInfo) -> Frame | None: ...

    def partial(self, text: str) -> Frame | None: ...

    def final(self, transcript: Transcript, requested: bool) -> Frame:
        """The utterance's transcript: `requested` by the client's stop, or not when the
        utterance reached its length limit (the audio after it starts the next one)."""
        ...

    def reset(self, info: StreamInfo) -> Frame | None: ...

    def pong(self) -> Frame | None: ...

    def error(self, error: VoxhubError, command: Command | None) -> Frame | None:
        """The answer to a refused command (None: stay silent)."""
        ...


async def serve_stream(
    websocket: WebSocket, streams: ASRStreams, dialect: Dialect, subprotocol: str | None = None
) -> None:
    """Run one connection to its end. Without a valid key (when keys are on) it is closed
    at once with 1008; over `max_connections`, or the key's own connection limit, with 1013.

    `subprotocol` is accepted when the client offers it (browsers refuse a connection whose
    answer lacks the subprotocol they asked for)."""
    chosen = subprotocol if subprotocol in offered_subprotocols(websocket) else None
    try:
        access = await admit_websocket(websocket, "asr")
        with gate_of(websocket).limiter.connection(access):
            ticket = streams.admit()
            try:
                await websocket.accept(subprotocol=chosen)
                await _Connection(websocket, streams, dialect, ticket).run()
            finally:
                streams.release(ticket)
    except VoxhubError as exc:
        if websocket.client_state is not WebSocketState.CONNECTING:
            raise
        # refused before any audio: a close code needs an open WebSocket, so accept, say
        # why, close
        await websocket.accept(subprotocol=chosen)
        await _Connection(websocket, streams, dialect, None).close_for(exc)


def offered_subprotocols(websocket: WebSocket) -> list[str]:
    """The subprotocols the client's handshake offered."""
    offered: list[str] = websocket.scope.get("subprotocols", [])
    return offered


def transcript_fields(transcript: Transcript) -> Frame:
    """text, language, duration, segments (with words) and words, times in seconds."""

    def word(w: RecognizedWord) -> Frame:
        return {"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}

    return {
        "text": transcript.text,
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "segments": [
            {
                "text": s.text,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "words": [word(w) for w in s.words],
            }
            for s in transcript.segments
        ],
        "words": [word(w) for w in transcript.words],
    }


class _Connection:
    def __init__(
        self,
        websocket: WebSocket,
        streams: ASRStreams,
        dialect: Dialect,
        ticket: ConnectionTicket | None,
    ) -> None:
        self._ws = websocket
        self._streams = streams
        self._dialect = dialect
        self._ticket = ticket
        self._settings = streams.settings
        self._stream: StreamSession | None = None
        self._send_lock = asyncio.Lock()
        self._gone = False

    async def run(self) -> None:
        assert self._ticket is not None
        try:
            greeting = self._dialect.greeting(self._ticket.id)
            if greeting is not None:
                await self._send(greeting)
            await self._serve()
        except VoxhubError as exc:
            await self.close_for(exc)
        except Exception:
            log.exception("real-time recognition connection failed")
            await self._close(1011, "internal_error: the server failed; reconnect to continue.")
        finally:
            if self._stream is not None:
                await self._streams.close(self._stream)

    async def _serve(self) -> None:
        idle = self._settings.idle_timeout
        while True:
            try:
                async with asyncio.timeout(idle):
                    message = await self._ws.receive()
            except TimeoutError:
                raise IdleTimeout(
                    f"No message for {idle:g} s, so the connection was closed; reconnect to "
                    "continue."
                ) from None
            if message["type"] == "websocket.disconnect":
                return
            command: Command | None = None
            try:
                text, data = message.get("text"), message.get("bytes")
                size = len(data) if data is not None else len((text or "").encode())
                if size > self._settings.max_frame_bytes:
                    raise FrameTooLarge(
                        f"A frame of {size} bytes is over the {self._settings.max_frame_bytes}"
                        "-byte limit; send audio in frames of 100-200 ms."
                    )
                command = self._dialect.parse(text, data)
                if command is not None:
                    await self._handle(command)
            except VoxhubError as exc:
                if ws_close_code(exc) is not None:
                    raise
                await self._refuse(exc, command)

    async def _handle(self, command: Command) -> None:
        if isinstance(command, Start):
            stream = await self._streams.open(command.request, self._partial, self._failure)
            previous, self._stream = self._stream, stream
            if previous is not None:
                # a second start replaces the stream (and drops its utterance)
                await self._streams.close(previous)
            await self._send(self._dialect.ready(stream.info))
        elif isinstance(command, Ping):
            await self._send(self._dialect.pong())
        elif isinstance(command, Audio):
            await self._audio(self._started("audio"), command.pcm)
        elif isinstance(command, Stop):
            await self._final(await self._started("stop").finish(), requested=True)
        else:
            stream = self._started("reset")
            await stream.drop()
            await self._send(self._dialect.reset(stream.info))

    def _started(self, what: str) -> StreamSession:
        if self._stream is None:
            raise StreamNotStarted(f"Send a start message before {what}.")
        return self._stream

    async def _audio(self, stream: StreamSession, pcm: bytes) -> None:
        rest = pcm
        while rest:
            rest = stream.push(rest)
            if not stream.full:
                return
            limit = stream.info.max_utterance_seconds
            await self._refuse(
                UtteranceTooLong(
                    f"The utterance reached the {limit:g} s limit: it is finalized here and "
                    "the audio after it starts the next utterance."
                ),
                None,
            )
            await self._final(await stream.finish(), requested=False)

    async def _final(self, transcript: Transcript, requested: bool) -> None:
        await self._send(self._dialect.final(transcript, requested))
        self._streams.stats.result_sent("final")

    async def _partial(self, text: str) -> None:
        frame = self._dialect.partial(text)
        if frame is not None:
            await self._send(frame)
            self._streams.stats.result_sent("partial")

    async def _failure(self, error: VoxhubError) -> None:
        await self._refuse(error, None)

    async def _refuse(self, error: VoxhubError, command: Command | None) -> None:
        frame = self._dialect.error(error, command)
        if frame is not None:
            await self._send(frame)
            if frame.get("type") == "error":
                self._streams.stats.result_sent("error")

    async def close_for(self, error: VoxhubError) -> None:
        """Say why in an error frame, then close with the error's code and reason."""
        await self._refuse(error, None)
        await self._close(ws_close_code(error) or 1011, ws_close_reason(error))

    async def _close(self, code: int, reason: str) -> None:
        if self._gone:
            return
        self._gone = True
        try:
            await self._ws.close(code=code, reason=reason)
        except Exception:  # the client may already be gone
            log.debug("closing a real-time connection failed", exc_info=True)

    async def _send(self, frame: Frame | None) -> None:
        if self._gone or frame is None:
            return
        async with self._send_lock:
            try:
                await self._ws.send_text(json.dumps(frame, ensure_ascii=False))
            except Exception:  # the client went away; the receive loop sees the disconnect
                self._gone = True
