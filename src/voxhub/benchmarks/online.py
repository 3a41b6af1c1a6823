"""Online TTS: server latency vs a direct in-process call, and streaming time to first byte."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

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
        with _server(settings, engine) as url, httpx.Client(base_url=url, timeout=300) as client:
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


class _server:
    """`voxhub serve` in a child process on a free port, stopped on exit."""

    def __init__(self, settings: Settings, engine: str) -> None:
        self._settings = settings
        self._engine = engine
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            **os.environ,
            "VOXHUB_ENGINES__DEFAULT": self._engine,
            "VOXHUB_ENGINES__PRELOAD": f'["{self._engine}"]',
            "VOXHUB_ENGINES__ENABLED": f'["{self._engine}"]',
            "VOXHUB_LOG_LEVEL": "WARNING",
        }
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voxhub.cli",
                "--data-dir",
                str(self._settings.data_dir),
                "serve",
                "--port",
                str(port),
                "--no-workers",
            ],
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            if self._process.poll() is not None:
                raise RuntimeError("voxhub serve exited during start-up")
            time.sleep(0.2)
        raise RuntimeError("voxhub serve did not become healthy in 120 s")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
