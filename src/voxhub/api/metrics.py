"""Prometheus metrics of one app: request latency, synthesis speed, admission and jobs.

With several API processes (`voxhub serve --workers N`) every process writes its samples
to a shared directory and a scrape of any process aggregates them all (prometheus_client's
multiprocess mode); job figures come from the job table, so Celery worker processes need
no metrics of their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxhub.db.repositories.jobs import JobStore
from voxhub.services.admission import ClassStats

_COUNTED = ("total", "rejected", "timed_out", "forecast_rejected", "prediction_misses")


class Metrics:
    """Owned by one app (its own registry): no process-global state.

    `multiprocess_dir` is set when several API processes serve together; the process must
    then have been started with PROMETHEUS_MULTIPROC_DIR pointing at it.
    """

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self._multiprocess = multiprocess_dir is not None
        if multiprocess_dir is not None:
            from prometheus_client.multiprocess import MultiProcessCollector

            MultiProcessCollector(self.registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
        # in multiprocess mode samples go to files, read back by the collector above
        owner = None if self._multiprocess else self.registry
        # where other modules register their own metrics (None: the multiprocess files)
        self.owner = owner
        self.requests = Histogram(
            "voxhub_http_request_duration_seconds",
            "HTTP request latency by route and status.",
            ["method", "route", "status"],
            registry=owner,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.real_time_factor = Histogram(
            "voxhub_synthesis_real_time_factor",
            "Seconds of synthesis per second of audio, online requests.",
            ["engine"],
            registry=owner,
            buckets=(0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5),
        )
        self._active = Gauge(
            "voxhub_admission_active",
            "Online syntheses running.",
            ["class"],
            registry=owner,
            multiprocess_mode="livesum",
        )
        self._queued = Gauge(
            "voxhub_admission_queued",
            "Requests waiting for a slot.",
            ["class"],
            registry=owner,
            multiprocess_mode="livesum",
        )
        self._limit = Gauge(
            "voxhub_admission_limit",
            "Concurrency limit.",
            ["class"],
            registry=owner,
            multiprocess_mode="livesum",
        )
        self._counters = {
            "total": Counter(
                "voxhub_admission_admitted", "Requests given a slot.", ["class"], registry=owner
            ),
            "rejected": Counter(
                "voxhub_admission_rejected", "Requests refused with 429.", ["class"], registry=owner
            ),
            "timed_out": Counter(
                "voxhub_admission_timed_out",
                "Requests past their deadline (408).",
                ["class"],
                registry=owner,
            ),
            "forecast_rejected": Counter(
                "voxhub_admission_forecast_rejected",
                "Requests refused at arrival (429) because they could not finish in time.",
                ["class"],
                registry=owner,
            ),
            "prediction_misses": Counter(
                "voxhub_admission_prediction_misses",
                "Requests admitted on a forecast that they would finish in time, that did not.",
                ["class"],
                registry=owner,
            ),
        }
        self._seen: dict[tuple[str, str], int] = {}

    def admission_changed(self, name: str, stats: ClassStats) -> None:
        """Follow one class's figures (called by Admission after every change)."""
        self._active.labels(name).set(stats.active)
        self._queued.labels(name).set(stats.queued)
        self._limit.labels(name).set(stats.limit)
        for key in _COUNTED:
            value = getattr(stats, key)
            delta = value - self._seen.get((name, key), 0)
            if delta > 0:
                self._counters[key].labels(name).inc(delta)
            self._seen[(name, key)] = value

    def watch_jobs(self, jobs: JobStore) -> None:
        self.registry.register(_JobCollector(jobs))


class TimingMiddleware:
    """Pure ASGI (no per-request task or body copying): times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._requests = metrics.requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            # the route's template, never the raw path: ids would explode the label set
            path = getattr(scope.get("route"), "path", "unmatched")
            self._requests.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - started
            )


class _JobCollector(Collector):
    """Read at scrape time from the job table: right whichever process changed a job."""

    def __init__(self, jobs: JobStore) -> None:
        self._jobs = jobs

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("voxhub_jobs", "Jobs by status.", labels=["status"])
        for status, count in self._jobs.counts().items():
            jobs.add_metric([status], float(count))
        yield jobs
        yield GaugeMetricFamily(
            "voxhub_job_chunks_queued",
            "Chunks waiting for a worker.",
            value=float(self._jobs.queued_chunks()),
        )
