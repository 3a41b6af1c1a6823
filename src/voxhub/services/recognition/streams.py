"""Real-time recognition: admits connections, opens validated streams, shares decode threads."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from voxhub.engines.asr.base import ASREngine, StreamOptions
from voxhub.engines.asr.languages import resolve_language
from voxhub.engines.pool import ASREnginePool
from voxhub.errors import (
    EngineNotFound,
    InvalidMessage,
    UnsupportedFormat,
    UnsupportedSampleRate,
)
from voxhub.services.recognition.cadence import PartialCadence
from voxhub.services.recognition.decode import DecodeExecutor, Priority
from voxhub.services.recognition.hotwords import hotword_problem
from voxhub.services.recognition.limits import ConnectionLimiter, ConnectionTicket
from voxhub.services.recognition.session import FailureSink, PartialSink, StreamInfo, StreamSession
from voxhub.services.recognition.stats import ASRObserver, ASRStatsSnapshot, ASRStreamStats
from voxhub.settings import ASRSettings

AUDIO_FORMATS = ("pcm16",)


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """What a client asks for in `start`, before validation."""

    sample_rate: int = 16_000
    audio_format: str = "pcm16"
    language: str = "auto"
    partials: bool = True
    hotwords: tuple[str, ...] = field(default=())
    # None means the configured default engine
    engine: str | None = None


class ASRStreams:
    """Owned by the app's lifespan: one per process, shared by every real-time connection."""

    def __init__(
        self,
        settings: ASRSettings,
        engines: ASREnginePool,
        observer: ASRObserver | None = None,
    ) -> None:
        self.settings = settings
        self.engines = engines
        threads = settings.decode_threads or os.cpu_count() or 1
        self.stats = ASRStreamStats(settings.max_connections, observer)
        self.executor = DecodeExecutor(threads, on_decoded=self.stats.decoded)
        self.limiter = ConnectionLimiter(settings.max_connections, self.stats)
        self.cadence = PartialCadence(settings.partial_interval, threads)
        # streams asking for partials, per engine: they share the partial budget
        self._partial_streams: Counter[str] = Counter()
        self._ids = itertools.count(1)

    def admit(self) -> ConnectionTicket:
        """A connection slot, or Overloaded (with a retry hint) when all are taken."""
        return self.limiter.admit()

    def release(self, ticket: ConnectionTicket) -> None:
        self.limiter.release(ticket)

    async def open(
        self, request: StreamRequest, on_partial: PartialSink, on_failure: FailureSink
    ) -> StreamSession:
        """Validate `request` fully, then open an engine session for it."""
        _check_format(request, self.settings)
        name = request.engine or self.settings.default
        if name not in self.engines.enabled:
            raise EngineNotFound(
                f"Speech recognition engine {name!r} is not enabled here; enabled: "
                f"{', '.join(self.engines.enabled)}."
            )
        # loading a model blocks (seconds, the first time): never on the event loop
        engine: ASREngine = await asyncio.to_thread(self.engines.get, name)
        capabilities = engine.capabilities
        language = resolve_language(request.language, capabilities, name)
        applied = capabilities.hotwords and bool(request.hotwords)
        options = StreamOptions(
            language=None if language == "auto" else language,
            partials=request.partials,
            hotwords=request.hotwords if applied else (),
        )
        session = await self.executor.run(
            Priority.FINAL, lambda: engine.open_session(options), engine=name, kind="open"
        )
        info = StreamInfo(
            id=f"s{next(self._ids)}",
            engine=name,
            sample_rate=request.sample_rate,
            engine_sample_rate=capabilities.sample_rate,
            language=language,
            partials=request.partials,
            hotwords=request.hotwords,
            hotwords_applied=applied,
            incremental=capabilities.incremental,
            max_utterance_seconds=self.settings.max_utterance_seconds,
        )
        self.stats.session_opened(name)
        if request.partials:
            self._partial_streams[name] += 1

        def interval() -> float:
            return self.cadence.interval(
                incremental=capabilities.incremental,
                partial_seconds=self.executor.decode_time(name, "partial"),
                streams=self._partial_streams[name],
                backlog=self.executor.queued,
            )

        return StreamSession(
            info, session, self.executor, self.stats, interval, on_partial, on_failure
        )

    async def close(self, stream: StreamSession) -> None:
        if stream.info.partials:
            self._partial_streams[stream.info.engine] -= 1
        await stream.close()

    def snapshot(self) -> ASRStatsSnapshot:
        return self.stats.snapshot(self.executor.queued, self.executor.threads)

    def figures(self) -> dict[str, Any]:
        """The counters for /v1/stats and /health."""
        s = self.snapshot()
        rtf = s.real_time_factor
        return {
            "active_connections": s.active_connections,
            "max_connections": s.max_connections,
            "connections_total": s.connections_total,
            "rejected": s.rejected,
            "sessions_served": s.sessions_served,
            "audio_seconds": round(s.audio_seconds, 3),
            "decode_seconds": round(s.decode_seconds, 3),
            "real_time_factor": None if rtf is None else round(rtf, 4),
            "partials_sent": s.partials_sent,
            "finals_sent": s.finals_sent,
            "errors_sent": s.errors_sent,
            "decode_threads": s.decode_threads,
            "decode_queue": s.decode_queue,
            "default_engine": self.settings.default,
            "engines_enabled": self.engines.enabled,
            "engines_loaded": sorted(self.engines.loaded()),
        }

    def shutdown(self) -> None:
        self.executor.shutdown()


def _check_format(request: StreamRequest, settings: ASRSettings) -> None:
    low, high = settings.min_sample_rate, settings.max_sample_rate
    if not low <= request.sample_rate <= high:
        raise UnsupportedSampleRate(
            f"sample_rate {request.sample_rate} Hz is not supported: stream at {low} to "
            f"{high} Hz (audio is resampled to the engine's rate)."
        )
    if request.audio_format not in AUDIO_FORMATS:
        raise UnsupportedFormat(
            f"format {request.audio_format!r} is not supported: send raw little-endian "
            'PCM16 mono frames and say format "pcm16".'
        )
    problem = hotword_problem(request.hotwords)
    if problem is not None:
        raise InvalidMessage(problem)
