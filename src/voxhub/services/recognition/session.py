"""One connection's recognition stream: audio in, rationed partials out, finals on demand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from voxhub.engines.asr.base import ASRSession, Samples, Transcript
from voxhub.errors import EngineUnavailable, NoAudio, VoxhubError
from voxhub.services.recognition.audio import StreamAudio
from voxhub.services.recognition.decode import (
    DecodeCancelled,
    DecodeExecutor,
    DecodeTicket,
    Priority,
)
from voxhub.services.recognition.stats import ASRStreamStats

T = TypeVar("T")
log = logging.getLogger("voxhub.asr")

PartialSink = Callable[[str], Awaitable[None]]
FailureSink = Callable[[VoxhubError], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """What a stream was opened with, after validation (the `ready` answer)."""

    id: str
    engine: str
    # the client's rate; audio reaches the engine at `engine_sample_rate`
    sample_rate: int
    engine_sample_rate: int
    # the language asked for after resolution: "zh", "en" or "auto"
    language: str
    partials: bool
    hotwords: tuple[str, ...]
    hotwords_applied: bool
    incremental: bool
    max_utterance_seconds: float


class StreamSession:
    """Wraps one engine session; every engine call runs on the shared decode executor.

    A pump task feeds queued audio to the engine as it comes (frames that pile up while a
    decode runs are joined into one call) and asks for partials no more often than
    `partial_interval()` allows. `finish` and `drop` interrupt it: a partial or audio job
    still queued is withdrawn (its audio goes with the final, which runs at the highest
    priority), a running one is waited for, so one call at a time reaches the session.
    """

    def __init__(
        self,
        info: StreamInfo,
        session: ASRSession,
        executor: DecodeExecutor,
        stats: ASRStreamStats,
        partial_interval: Callable[[], float],
        on_partial: PartialSink,
        on_failure: FailureSink,
    ) -> None:
        self.info = info
        self._session = session
        self._executor = executor
        self._stats = stats
        self._partial_interval = partial_interval
        self._on_partial = on_partial
        self._on_failure = on_failure
        self._audio = StreamAudio(
            info.sample_rate, info.engine_sample_rate, info.max_utterance_seconds
        )
        self._pending: list[Samples] = []
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._ticket: DecodeTicket[Any] | None = None
        self._last: DecodeTicket[Any] | None = None
        self._interrupts = 0
        self._fresh = False
        self._last_partial = ""
        self._next_partial_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._pump_task = asyncio.create_task(self._pump(), name=f"asr-pump-{info.id}")

    @property
    def full(self) -> bool:
        """The utterance reached its maximum length: finish it before sending more."""
        return self._audio.full

    def push(self, pcm: bytes) -> bytes:
        """Queue a PCM16 frame; returns the bytes past the utterance's length limit."""
        samples, rest = self._audio.add(pcm)
        if len(samples):
            self._pending.append(samples)
            self._wake.set()
            ticket = self._ticket
            if ticket is not None and ticket.priority is Priority.PARTIAL:
                # a partial still queued is stale once new audio comes, and would hold the
                # audio back behind it: withdraw it, the pump feeds the audio and asks again
                ticket.cancel()
        return rest

    async def finish(self) -> Transcript:
        """Decode the utterance to its final transcript; the stream goes on with the next."""
        if not self._audio.heard:
            raise NoAudio("No audio since the start or the last final: send audio, then stop.")
        started = time.perf_counter()
        async with self._interrupt():
            chunk = self._take_pending(self._audio.finish())
            session = self._session

            def final() -> Transcript:
                if chunk is not None:
                    session.accept(chunk)
                return session.final()

            try:
                transcript = await self._call(Priority.FINAL, "final", final)
            except VoxhubError:
                await self._forget_utterance()
                raise
            finally:
                self._new_utterance()
            if chunk is not None:
                self._stats.audio_processed(self.info.engine, len(chunk) / self._rate)
        self._stats.final_latency(self.info.engine, time.perf_counter() - started)
        return transcript

    async def drop(self) -> None:
        """Forget the utterance without decoding it."""
        async with self._interrupt():
            self._audio.clear()
            self._pending.clear()
            try:
                await self._call(Priority.FINAL, "reset", self._session.reset)
            finally:
                self._new_utterance()

    async def close(self) -> None:
        """Stop the pump, wait for a running decode, close the engine session."""
        if self._closed:
            return
        self._closed = True
        self._pump_task.cancel()
        try:
            await self._pump_task
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug in the pump must not keep the session open
            log.exception("stream %s: the audio pump failed", self.info.id)
        if self._timer is not None:
            self._timer.cancel()
        last = self._last
        if last is not None and not last.future.done():
            # never close a session while one of its calls still runs on a decode thread
            await asyncio.wait([last.future])
        self._pending.clear()
        try:
            await self._call(Priority.FINAL, "close", self._session.close)
        except (VoxhubError, RuntimeError) as exc:  # closing must not fail the connection
            log.warning("closing stream %s failed: %s", self.info.id, exc)

    @property
    def _rate(self) -> int:
        return self.info.engine_sample_rate

    @asynccontextmanager
    async def _interrupt(self) -> AsyncIterator[None]:
        """Hold the session ahead of the pump: withdraw its queued job, wait for a running one."""
        self._interrupts += 1
        try:
            if self._ticket is not None:
                self._ticket.cancel()
            async with self._lock:
                yield
        finally:
            self._interrupts -= 1

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._interrupts:
                continue
            if self._pending:
                await self._feed()
            if not (self.info.partials and self._fresh) or self._interrupts:
                continue
            wait = self._next_partial_at - loop.time()
            if wait > 0:
                if self._timer is None:
                    self._timer = loop.call_later(wait, self._timer_fired)
                continue
            await self._partial(loop)

    def _timer_fired(self) -> None:
        self._timer = None
        self._wake.set()

    async def _feed(self) -> None:
        async with self._lock:
            if self._interrupts:
                return
            chunk = self._take_pending()
            if chunk is None:
                return
            try:
                await self._call(Priority.AUDIO, "accept", lambda: self._session.accept(chunk))
            except DecodeCancelled:
                # a final or reset took over: the audio goes with the final
                self._pending.insert(0, chunk)
                return
            except VoxhubError as exc:
                await self._fail(exc)
                return
            self._stats.audio_processed(self.info.engine, len(chunk) / self._rate)
            self._fresh = True

    async def _partial(self, loop: asyncio.AbstractEventLoop) -> None:
        async with self._lock:
            if self._interrupts or not self._fresh:
                return
            self._fresh = False
            try:
                text = await self._call(Priority.PARTIAL, "partial", self._session.partial)
            except DecodeCancelled:
                self._fresh = True
                return
            except VoxhubError as exc:
                await self._fail(exc)
                return
            self._next_partial_at = loop.time() + self._partial_interval()
            if text and text != self._last_partial:
                self._last_partial = text
                await self._on_partial(text)

    async def _fail(self, error: VoxhubError) -> None:
        """An engine call of the pump failed: tell the client and drop the utterance."""
        log.warning("stream %s: %s", self.info.id, error.message)
        self._audio.clear()
        self._pending.clear()
        await self._forget_utterance()
        self._new_utterance()
        await self._on_failure(error)

    async def _forget_utterance(self) -> None:
        with contextlib.suppress(VoxhubError, DecodeCancelled):
            await self._call(Priority.FINAL, "reset", self._session.reset)

    def _new_utterance(self) -> None:
        self._fresh = False
        self._last_partial = ""
        self._next_partial_at = 0.0

    def _take_pending(self, tail: Samples | None = None) -> Samples | None:
        pieces = self._pending
        if tail is not None and len(tail):
            pieces = [*pieces, tail]
        self._pending = []
        if not pieces:
            return None
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    async def _call(self, priority: Priority, kind: str, fn: Callable[[], T]) -> T:
        """One engine call on the decode executor; engine bugs become EngineUnavailable."""
        engine = self.info.engine

        def guarded() -> T:
            try:
                return fn()
            except VoxhubError:
                raise
            except Exception as exc:
                raise EngineUnavailable(f"The {engine} engine failed in {kind}(): {exc}") from exc

        ticket = self._executor.submit(priority, guarded, engine=engine, kind=kind)
        self._ticket = self._last = ticket
        try:
            return await asyncio.shield(ticket.future)
        except asyncio.CancelledError:
            ticket.cancel()
            raise
        finally:
            self._ticket = None
