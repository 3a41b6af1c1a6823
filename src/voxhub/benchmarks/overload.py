"""Overload: admitted throughput and latency at 10x the short-text limit vs at it, time to 429."""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from voxhub.benchmarks.server import ServeProcess
from voxhub.benchmarks.texts import EN
from voxhub.settings import Settings

# ~180 characters ending on a full stop: still a "short" text (default threshold 200)
TEXT = EN[:180].rsplit(" ", 1)[0].rstrip(",") + "."
# clients per slot in the overload phase
OVERLOAD_FACTOR = 10
# in the stress phase, a client that got a 429 sends again after this long, ignoring Retry-After
STRESS_BACKOFF = 0.01
TARGET_THROUGHPUT_RATIO = 0.9
TARGET_P99_RATIO = 2.0
TARGET_REJECT_MS = 50.0
COUNTERS = ("total", "rejected", "timed_out")


@dataclass(frozen=True)
class Sample:
    """One response: HTTP status (0 for a transport error), latency, completion time."""

    status: int
    latency: float
    # seconds since the phase started
    finished: float
    retry_after: bool


@dataclass(frozen=True)
class Phase:
    clients: int
    seconds: float
    samples: list[Sample]

    def latencies(self, status: int) -> list[float]:
        return sorted(s.latency for s in self.samples if s.status == status)

    def count(self, status: int) -> int:
        return sum(1 for s in self.samples if s.status == status)

    @property
    def others(self) -> int:
        return sum(1 for s in self.samples if s.status not in (200, 429, 408))

    @property
    def throughput(self) -> float:
        """Successful responses per second, counting those completed within the phase."""
        done = sum(1 for s in self.samples if s.status == 200 and s.finished <= self.seconds)
        return done / self.seconds


def run(out: Callable[[str], None] = print, duration: float = 30.0, engine: str = "espeak") -> None:
    """Start one server, measure at the limit then at 10x it, print figures against targets."""
    # the child inherits this environment, so its concurrency is the one read here
    concurrency = Settings().admission.short_concurrency
    with (
        tempfile.TemporaryDirectory() as data_dir,
        ServeProcess(
            Path(data_dir),
            engine,
            ["--no-workers"],
            {"VOXHUB_ADMISSION__SHORT_QUEUE": str(max(1, concurrency // 2))},
            wait=120,
        ) as server,
    ):
        asyncio.run(_measure(server, out, duration, engine))


async def _measure(
    server: ServeProcess, out: Callable[[str], None], duration: float, engine: str
) -> None:
    url = server.url
    body: dict[str, Any] = {"text": TEXT, "language": "en"}
    if engine == "espeak":
        body["voice"] = "espeak:en-us"
    async with httpx.AsyncClient(base_url=url) as probe:
        stats = await _stats(probe)
    short = stats["admission"]["short"]
    limit, queue_limit = int(short["limit"]), int(short["queue_limit"])
    threshold = int(stats["config"]["admission"]["threshold"])
    # a connection per client, so no request ever waits in the client's pool
    connections = OVERLOAD_FACTOR * limit + 8
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        if len(TEXT) > threshold:
            raise RuntimeError(f"the {len(TEXT)}-char text is not short (threshold {threshold})")
        out(
            f"voxhub overload benchmark: engine {engine}, {os.cpu_count()} cores (os.cpu_count()), "
            "one uvicorn server process (serve --no-workers), client in this process"
        )
        out(
            f"text {len(TEXT)} chars (short class, threshold {threshold}); short limit {limit} "
            f"from /v1/stats; short queue {queue_limit} (VOXHUB_ADMISSION__SHORT_QUEUE set to half "
            "the limit: an admitted request waits at most for one of the running ones to end)"
        )
        out(
            f"clients: closed loop on one httpx.AsyncClient ({connections} connections); after "
            "a 429 a client waits as Retry-After says, as well-behaved clients do; a last "
            f"stress phase ignores it and sends again after {STRESS_BACKOFF * 1000:.0f} ms"
        )
        for _ in range(2 * limit):  # warm-up, not counted: first syntheses load lazily
            (await client.post("/v1/tts", json=body)).raise_for_status()
        before = (await _stats(client))["admission"]["short"]

        # as long as the others: slow engines complete few requests in a short window
        unloaded = await run_phase(client, body, limit, duration)
        ok = unloaded.latencies(200)
        out(f"1. at the limit: {limit} clients for {unloaded.seconds:.1f} s")
        out(
            f"   throughput {unloaded.throughput:.1f} req/s, latency p50 {_ms(ok, 50)} ms, "
            f"p99 {_ms(ok, 99)} ms; responses 200 {unloaded.count(200)}, "
            f"429 {unloaded.count(429)}, 408 {unloaded.count(408)}, other {unloaded.others}"
        )

        loaded = await _overload(client, body, limit, duration, server, out, "2. overload")
        stress = await _overload(
            client, body, limit, duration, server, out, "3. stress", backoff=STRESS_BACKOFF
        )
        for label, phase in (("overload", loaded), ("stress", stress)):
            _ratios(out, label, phase, unloaded)

        after = (await _stats(client))["admission"]["short"]
        delta = {name: int(after[name]) - int(before[name]) for name in COUNTERS}
        phases = (unloaded, loaded, stress)
        n200, n429, n408 = (sum(p.count(code) for p in phases) for code in (200, 429, 408))
        others = sum(p.others for p in phases)
        out(
            "server /v1/stats short admission, change over all phases: "
            + ", ".join(f"{name} +{delta[name]}" for name in COUNTERS)
            + f"; now active {after['active']}, queued {after['queued']}"
        )
        out(f"client counts over all phases: 200 {n200}, 429 {n429}, 408 {n408}, other {others}")
        # `total` counts admissions: every 200, plus a 408 or error that happened after one
        match = (
            delta["rejected"] == n429
            and delta["timed_out"] == n408
            and n200 <= delta["total"] <= n200 + n408 + others
            and int(after["active"]) == 0
            and int(after["queued"]) == 0
        )
        out(f"stats match client counts: {'yes' if match else 'no'}")


async def _overload(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    limit: int,
    duration: float,
    server: ServeProcess,
    out: Callable[[str], None],
    title: str,
    backoff: float | None = None,
) -> Phase:
    """One phase at 10x the limit; prints what it saw."""
    cpu = time.process_time(), server.cpu_seconds()
    phase = await run_phase(client, body, OVERLOAD_FACTOR * limit, duration, backoff)
    client_cpu, server_cpu = time.process_time() - cpu[0], server.cpu_seconds() - cpu[1]
    admitted, rejected = phase.latencies(200), phase.latencies(429)
    with_header = sum(1 for s in phase.samples if s.status == 429 and s.retry_after)
    after_429 = "Retry-After honoured" if backoff is None else "Retry-After ignored"
    out(
        f"{title}: {phase.clients} clients ({OVERLOAD_FACTOR}x the limit) for "
        f"{phase.seconds:.1f} s, {after_429}"
    )
    out(
        f"   admitted throughput {phase.throughput:.1f} req/s, admitted latency "
        f"p50 {_ms(admitted, 50)} ms, p99 {_ms(admitted, 99)} ms"
    )
    out(f"   time to 429: p50 {_ms(rejected, 50)} ms, p99 {_ms(rejected, 99)} ms")
    out(
        f"   responses 200 {phase.count(200)}, 429 {phase.count(429)} "
        f"({with_header} with Retry-After), 408 {phase.count(408)}, other {phase.others}"
    )
    out(
        f"   CPU busy: server {server_cpu / phase.seconds:.2f} cores, this client "
        f"{client_cpu / phase.seconds:.2f} cores, of {os.cpu_count()}"
    )
    return phase


def _ratios(out: Callable[[str], None], label: str, phase: Phase, unloaded: Phase) -> None:
    admitted, rejected = phase.latencies(200), phase.latencies(429)
    throughput_ratio = phase.throughput / unloaded.throughput
    p99_ratio = _percentile(admitted, 99) / _percentile(unloaded.latencies(200), 99)
    reject_ms = _percentile(rejected, 50) * 1000
    out(f"ratios, {label} vs at the limit")
    out(_verdict("admitted / unloaded throughput", throughput_ratio, ">=", TARGET_THROUGHPUT_RATIO))
    out(_verdict("admitted p99 / unloaded p99", p99_ratio, "<=", TARGET_P99_RATIO))
    out(_verdict("median time to 429, ms", reject_ms, "<=", TARGET_REJECT_MS))


async def run_phase(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    clients: int,
    seconds: float,
    backoff: float | None = None,
) -> Phase:
    """`clients` loops sending one request at a time until `seconds` have passed; after a
    429 each waits `backoff` seconds, or what Retry-After says when `backoff` is None."""
    samples: list[Sample] = []
    started = time.perf_counter()
    stop = started + seconds

    async def loop() -> None:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            wait = 0.0
            try:
                response = await client.post("/v1/tts", json=body)
            except httpx.HTTPError:
                status, retry_after = 0, False
            else:
                status, retry_after = response.status_code, "retry-after" in response.headers
                if status == 429:
                    told = float(response.headers.get("retry-after", 1))
                    wait = told if backoff is None else backoff
            done = time.perf_counter()
            samples.append(Sample(status, done - sent, done - started, retry_after))
            if wait:
                # never past the phase's end, so every phase lasts what it says
                await asyncio.sleep(min(wait, max(stop - time.perf_counter(), 0.0)))

    await asyncio.gather(*(loop() for _ in range(clients)))
    return Phase(clients, seconds, samples)


async def _stats(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/stats")
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def _percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list; NaN when it is empty."""
    if not sorted_values:
        return math.nan
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def _ms(sorted_values: Sequence[float], p: float) -> str:
    return f"{_percentile(sorted_values, p) * 1000:.1f}"


def _verdict(label: str, value: float, op: str, target: float) -> str:
    met = value >= target if op == ">=" else value <= target
    return f"   {label:<32}{value:>9.2f}   target {op} {target:g}   {'met' if met else 'NOT met'}"
