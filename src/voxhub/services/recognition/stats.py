"""Counters of the real-time recognition streams, read by /v1/stats, /health and metrics."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


class ASRObserver(Protocol):
    """Told of every change as it happens (Prometheus metrics); called from any thread."""

    def connections_changed(self, active: int, limit: int) -> None: ...

    def connection_opened(self) -> None: ...

    def connection_rejected(self) -> None: ...

    def session_opened(self, engine: str) -> None: ...

    def audio_processed(self, engine: str, seconds: float) -> None: ...

    def decoded(self, engine: str, kind: str, seconds: float) -> None: ...

    def result_sent(self, kind: str) -> None: ...

    def final_latency(self, engine: str, seconds: float) -> None: ...


@dataclass(frozen=True, slots=True)
class ASRStatsSnapshot:
    active_connections: int
    max_connections: int
    connections_total: int
    rejected: int
    sessions_served: int
    audio_seconds: float
    decode_seconds: float
    partials_sent: int
    finals_sent: int
    errors_sent: int
    decode_queue: int
    decode_threads: int

    @property
    def real_time_factor(self) -> float | None:
        """Decode seconds per second of audio; None before any audio."""
        return self.decode_seconds / self.audio_seconds if self.audio_seconds else None


class ASRStreamStats:
    """Totals since start-up; thread-safe (decode threads report decode time)."""

    def __init__(self, max_connections: int, observer: ASRObserver | None = None) -> None:
        self.max_connections = max_connections
        self._observer = observer
        self._lock = threading.Lock()
        self._active = 0
        self._connections = 0
        self._rejected = 0
        self._sessions = 0
        self._audio = 0.0
        self._decode = 0.0
        self._sent = {"partial": 0, "final": 0, "error": 0}
        if observer is not None:
            observer.connections_changed(0, max_connections)

    @property
    def active(self) -> int:
        with self._lock:
            return self._active

    def connection_opened(self) -> None:
        with self._lock:
            self._active += 1
            self._connections += 1
            active = self._active
        if self._observer is not None:
            self._observer.connection_opened()
            self._observer.connections_changed(active, self.max_connections)

    def connection_closed(self) -> None:
        with self._lock:
            self._active -= 1
            active = self._active
        if self._observer is not None:
            self._observer.connections_changed(active, self.max_connections)

    def connection_rejected(self) -> None:
        with self._lock:
            self._rejected += 1
        if self._observer is not None:
            self._observer.connection_rejected()

    def session_opened(self, engine: str) -> None:
        with self._lock:
            self._sessions += 1
        if self._observer is not None:
            self._observer.session_opened(engine)

    def audio_processed(self, engine: str, seconds: float) -> None:
        with self._lock:
            self._audio += seconds
        if self._observer is not None:
            self._observer.audio_processed(engine, seconds)

    def decoded(self, engine: str, kind: str, seconds: float) -> None:
        with self._lock:
            self._decode += seconds
        if self._observer is not None:
            self._observer.decoded(engine, kind, seconds)

    def result_sent(self, kind: str) -> None:
        """`kind` is partial, final or error."""
        with self._lock:
            self._sent[kind] = self._sent.get(kind, 0) + 1
        if self._observer is not None:
            self._observer.result_sent(kind)

    def final_latency(self, engine: str, seconds: float) -> None:
        if self._observer is not None:
            self._observer.final_latency(engine, seconds)

    def snapshot(self, decode_queue: int, decode_threads: int) -> ASRStatsSnapshot:
        with self._lock:
            return ASRStatsSnapshot(
                active_connections=self._active,
                max_connections=self.max_connections,
                connections_total=self._connections,
                rejected=self._rejected,
                sessions_served=self._sessions,
                audio_seconds=self._audio,
                decode_seconds=self._decode,
                partials_sent=self._sent["partial"],
                finals_sent=self._sent["final"],
                errors_sent=self._sent["error"],
                decode_queue=decode_queue,
                decode_threads=decode_threads,
            )
