"""Throughput under concurrency: seconds of audio delivered per wall second by N clients of
`POST /v1/tts`, against N threads calling the same synthesis in one process; then long
unbroken real-time recognition turns against whole-turn decodes (benchmarks.asr_long)."""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from voxhub.benchmarks import asr_long
from voxhub.benchmarks.server import ServeProcess
from voxhub.benchmarks.texts import sample
from voxhub.container import Container
from voxhub.services.synthesis import SynthesisRequest
from voxhub.settings import EngineSettings, Settings

# 100–300 characters, both languages, as the clients sent
TEXTS = tuple(sample(lang, n) for n in (100, 200, 300) for lang in ("zh", "en"))


@dataclass
class Phase:
    """What one side delivered in its window."""

    seconds: float = 0.0
    audio: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    refusal_latencies: list[float] = field(default_factory=list)
    cores: float = float("nan")

    @property
    def rate(self) -> float:
        """Seconds of audio per wall second."""
        return self.audio / self.seconds if self.seconds else 0.0


def run(
    engine: str = "kokoro",
    clients: int = 4,
    duration: float = 60.0,
    out: Callable[[str], None] = print,
    parts: Sequence[str] = ("tts", "asr"),
    asr_streams: Sequence[int] = asr_long.STREAMS,
) -> None:
    if "tts" in parts:
        _tts(engine, clients, duration, out)
    if "asr" in parts:
        asr_long.run(asr_streams, out)


def _tts(engine: str, clients: int, duration: float, out: Callable[[str], None]) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            engines=EngineSettings(default=engine, preload=[engine], enabled=[engine]),
        )
        out(
            f"voxhub throughput benchmark: engine {engine}, {os.cpu_count()} cores, {clients} "
            f"clients for {duration:.0f} s each side, texts of 100-300 characters (zh, en), "
            "default settings"
        )
        direct = _direct(Container.build(settings), clients, duration)
        with ServeProcess(Path(data_dir) / "server", engine, ["--no-workers"], wait=180) as server:
            served = asyncio.run(_served(server, clients, duration))
        for label, phase in (("direct (threads)", direct), ("voxhub POST /v1/tts", served)):
            ok = sorted(phase.latencies)
            p50 = statistics.median(ok) if ok else float("nan")
            out(
                f"{label:<22} {phase.rate:6.2f} s audio/s  cores {phase.cores:4.2f}  "
                f"answers {dict(sorted(phase.statuses.items()))}  p50 {p50:6.2f} s"
            )
        refusals = sorted(served.refusal_latencies)
        out(
            f"ratio voxhub / direct: {served.rate / direct.rate:.2f}  (target >= 0.95); "
            f"408s {served.statuses[408]} (target 0); 429 answered in p50 "
            f"{statistics.median(refusals) * 1000 if refusals else float('nan'):.1f} ms, max "
            f"{max(refusals) * 1000 if refusals else float('nan'):.1f} ms (target < 50)"
        )


def _direct(container: Container, clients: int, duration: float) -> Phase:
    """`clients` threads synthesizing back to back in this process."""
    container.preload()
    synthesizer = container.synthesizer
    phase = Phase()
    lock = threading.Lock()
    texts = itertools.cycle(TEXTS)
    stop = time.monotonic() + duration
    cpu_before = time.process_time()

    def work() -> None:
        while time.monotonic() < stop:
            with lock:
                text = next(texts)
            started = time.perf_counter()
            result = synthesizer.synthesize(synthesizer.plan(SynthesisRequest(text=text)))
            with lock:
                phase.audio += result.duration
                phase.latencies.append(time.perf_counter() - started)
                phase.statuses[200] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started
    phase.cores = (time.process_time() - cpu_before) / phase.seconds
    return phase


async def _served(server: ServeProcess, clients: int, duration: float) -> Phase:
    """`clients` closed-loop clients; after a 429 a client waits as Retry-After says."""
    phase = Phase()
    texts = itertools.cycle(TEXTS)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=900, limits=limits) as client:
        (await client.post("/v1/tts", json={"text": TEXTS[0]})).raise_for_status()  # warm-up
        stop = time.monotonic() + duration
        cpu_before = server.tree_cpu_seconds()

        async def work() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = await client.post("/v1/tts", json={"text": next(texts)})
                took = time.perf_counter() - started
                phase.statuses[response.status_code] += 1
                if response.status_code == 200:
                    phase.audio += float(response.json()["duration"])
                    phase.latencies.append(took)
                elif response.status_code == 429:
                    phase.refusal_latencies.append(took)
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))

        started = time.monotonic()
        await asyncio.gather(*(work() for _ in range(clients)))
        phase.seconds = time.monotonic() - started
        phase.cores = (server.tree_cpu_seconds() - cpu_before) / phase.seconds
    return phase
