"""Online TTS: server latency vs a direct in-process call, and streaming time to first byte."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from voxhub.benchmarks.server import ServeProcess
from voxhub.benchmarks.texts import sample
from voxhub.container import Container
from voxhub.services.synthesis import SynthesisRequest
from voxhub.settings import EngineSettings, Settings

LENGTHS = (20, 100, 300)
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Row:
    language: str
    length: int
    direct: float
    server: float

    @property
    def ratio(self) -> float:
        return self.server / self.direct


def run(engine: str = "kokoro", repeat: int = 5, out: Callable[[str], None] = print) -> list[Row]:
    """Measure and print; returns the latency rows (the streaming line is printed too)."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            engines=EngineSettings(default=engine, preload=[engine], enabled=[engine]),
        )
        container = Container.build(settings)
        container.preload()
        server = ServeProcess(settings.data_dir, engine, ["--no-workers"], wait=120)
        with server, httpx.Client(base_url=server.url, timeout=300) as client:
            out(
                f"voxhub online TTS benchmark: engine {engine}, {os.cpu_count()} cores, "
                f"median of {repeat} runs, direct and server runs interleaved"
            )
            rows = [
                _latency(container, client, lang, n, repeat) for lang in LANGUAGES for n in LENGTHS
            ]
            out(f"{'lang':<5}{'chars':>6}{'direct p50 s':>14}{'server p50 s':>14}{'ratio':>8}")
            for row in rows:
                out(
                    f"{row.language:<5}{row.length:>6}{row.direct:>14.3f}{row.server:>14.3f}"
                    f"{row.ratio:>8.3f}"
                )
            for lang in LANGUAGES:
                ttfb, full = _first_byte(container, client, lang, repeat)
                out(
                    f"stream {lang} 300 chars: first audio byte p50 {ttfb:.3f} s, full synthesis "
                    f"p50 {full:.3f} s, ratio {ttfb / full:.3f}"
                )
    return rows


def _latency(
    container: Container, client: httpx.Client, language: str, length: int, repeat: int
) -> Row:
    text = sample(language, length)
    request = SynthesisRequest(text=text)
    direct, server = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        container.synthesizer.synthesize(container.synthesizer.plan(request))
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.post("/v1/tts", json={"text": text})
        server.append(time.perf_counter() - started)
        response.raise_for_status()
    return Row(language, len(text), statistics.median(direct), statistics.median(server))


def _first_byte(
    container: Container, client: httpx.Client, language: str, repeat: int
) -> tuple[float, float]:
    text = sample(language, 300)
    request = SynthesisRequest(text=text)
    firsts, fulls = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        container.synthesizer.synthesize(container.synthesizer.plan(request))
        fulls.append(time.perf_counter() - started)
        started = time.perf_counter()
        with client.stream("POST", "/v1/tts/stream", json={"text": text}) as response:
            response.raise_for_status()
            first = None
            for _chunk in response.iter_bytes():
                if first is None:
                    first = time.perf_counter() - started
        firsts.append(first if first is not None else float("nan"))
    return statistics.median(firsts), statistics.median(fulls)
