"""Prometheus metrics of one app: request latency, synthesis speed, admission and jobs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from voxhub.jobs.store import JobStore
from voxhub.services.admission import Admission


class Metrics:
    """Owned by one app (its own registry): no process-global state."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "voxhub_http_request_duration_seconds",
            "HTTP request latency by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.real_time_factor = Histogram(
            "voxhub_synthesis_real_time_factor",
            "Seconds of synthesis per second of audio, online requests.",
            ["engine"],
            registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5),
        )

    def watch(self, admission: Admission, jobs: JobStore) -> None:
        self.registry.register(_StateCollector(admission, jobs))

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # the route's template, never the raw path: ids would explode the label set
        path = getattr(route, "path", "unmatched")
        self.requests.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


class _StateCollector(Collector):
    """Read at scrape time from the admission state and the job table, so the figures are
    right whichever process (API or Celery worker) changed them."""

    def __init__(self, admission: Admission, jobs: JobStore) -> None:
        self._admission = admission
        self._jobs = jobs

    def collect(self) -> Iterator[Metric]:
        gauges = {
            "active": GaugeMetricFamily(
                "voxhub_admission_active", "Online syntheses running.", labels=["class"]
            ),
            "limit": GaugeMetricFamily(
                "voxhub_admission_limit", "Concurrency limit.", labels=["class"]
            ),
            "queued": GaugeMetricFamily(
                "voxhub_admission_queued", "Requests waiting for a slot.", labels=["class"]
            ),
        }
        counters = {
            "total": CounterMetricFamily(
                "voxhub_admission_admitted", "Requests given a slot.", labels=["class"]
            ),
            "rejected": CounterMetricFamily(
                "voxhub_admission_rejected", "Requests refused with 429.", labels=["class"]
            ),
            "timed_out": CounterMetricFamily(
                "voxhub_admission_timed_out",
                "Requests past their deadline (408).",
                labels=["class"],
            ),
        }
        for name, stats in self._admission.stats.items():
            for key, gauge in gauges.items():
                gauge.add_metric([name], float(getattr(stats, key)))
            for key, counter in counters.items():
                counter.add_metric([name], float(getattr(stats, key)))
        yield from gauges.values()
        yield from counters.values()
        jobs = GaugeMetricFamily("voxhub_jobs", "Jobs by status.", labels=["status"])
        for status, count in self._jobs.counts().items():
            jobs.add_metric([status], float(count))
        yield jobs
        yield GaugeMetricFamily(
            "voxhub_job_chunks_queued",
            "Chunks waiting for a worker.",
            value=float(self._jobs.queued_chunks()),
        )
