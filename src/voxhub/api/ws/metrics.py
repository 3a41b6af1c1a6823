"""Prometheus metrics of real-time recognition, fed by the stream counters as they change."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from voxhub.api.metrics import Metrics


class ASRMetrics:
    """An ASRObserver: connections, sessions, audio and decode seconds (their ratio is the
    real-time factor), results sent and stop-to-final latency."""

    def __init__(self, metrics: Metrics) -> None:
        owner = metrics.owner
        self._active = Gauge(
            "voxhub_asr_connections_active",
            "Real-time recognition connections open.",
            registry=owner,
            multiprocess_mode="livesum",
        )
        self._limit = Gauge(
            "voxhub_asr_connections_limit",
            "Real-time recognition connections allowed (max_connections).",
            registry=owner,
            multiprocess_mode="livesum",
        )
        self._opened = Counter(
            "voxhub_asr_connections", "Real-time connections accepted.", registry=owner
        )
        self._rejected = Counter(
            "voxhub_asr_connections_rejected",
            "Real-time connections refused over max_connections (close code 1013).",
            registry=owner,
        )
        self._sessions = Counter(
            "voxhub_asr_sessions", "Recognition streams opened.", ["engine"], registry=owner
        )
        self._audio = Counter(
            "voxhub_asr_audio_seconds",
            "Seconds of audio decoded by real-time streams.",
            ["engine"],
            registry=owner,
        )
        self._decode = Counter(
            "voxhub_asr_decode_seconds",
            "Seconds spent in engine calls, by kind (accept, partial, final, ...).",
            ["engine", "kind"],
            registry=owner,
        )
        self._results = Counter(
            "voxhub_asr_results",
            "Frames sent to real-time clients, by kind (partial, final, error).",
            ["kind"],
            registry=owner,
        )
        self._final_latency = Histogram(
            "voxhub_asr_final_latency_seconds",
            "Seconds from a stop to its final transcript.",
            ["engine"],
            registry=owner,
            buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10),
        )

    def connections_changed(self, active: int, limit: int) -> None:
        self._active.set(active)
        self._limit.set(limit)

    def connection_opened(self) -> None:
        self._opened.inc()

    def connection_rejected(self) -> None:
        self._rejected.inc()

    def session_opened(self, engine: str) -> None:
        self._sessions.labels(engine).inc()

    def audio_processed(self, engine: str, seconds: float) -> None:
        self._audio.labels(engine).inc(seconds)

    def decoded(self, engine: str, kind: str, seconds: float) -> None:
        self._decode.labels(engine, kind).inc(seconds)

    def result_sent(self, kind: str) -> None:
        self._results.labels(kind).inc()

    def final_latency(self, engine: str, seconds: float) -> None:
        self._final_latency.labels(engine).observe(seconds)
