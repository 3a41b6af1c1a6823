"""Server memory under sustained overload: RSS after each of several rounds at 10x the limit."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from voxhub.benchmarks.overload import OVERLOAD_FACTOR, TEXT, run_phase
from voxhub.benchmarks.server import ServeProcess
from voxhub.settings import Settings

TARGET_GROWTH = 0.05


def run(out: Callable[[str], None] = print, rounds: int = 6, seconds: float = 30.0) -> None:
    defaults = Settings()
    concurrency = defaults.admission.short_concurrency
    # the engines `voxhub serve` loads by default, as a deployment runs; requests use espeak
    engines = json.dumps(defaults.engines.preload)
    env = {"VOXHUB_ENGINES__ENABLED": engines, "VOXHUB_ENGINES__PRELOAD": engines}
    with (
        tempfile.TemporaryDirectory() as data_dir,
        ServeProcess(Path(data_dir), "espeak", ["--no-workers"], env, wait=180) as server,
    ):
        asyncio.run(_rounds(server, out, rounds, seconds, concurrency, engines))


async def _rounds(
    server: ServeProcess,
    out: Callable[[str], None],
    rounds: int,
    seconds: float,
    concurrency: int,
    engines: str,
) -> None:
    body = {"text": TEXT, "language": "en", "voice": "espeak:en-us"}
    clients = OVERLOAD_FACTOR * concurrency
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    out(
        f"overload memory: engines {engines} loaded, requests to espeak, {clients} clients "
        f"({OVERLOAD_FACTOR}x the short limit {concurrency}) for {rounds} rounds of "
        f"{seconds:.0f} s; server RSS after each round"
    )
    rss = [server.rss_bytes()]
    out(f"   start: {rss[0] / 2**20:.0f} MB")
    async with httpx.AsyncClient(base_url=server.url, timeout=600, limits=limits) as client:
        for number in range(1, rounds + 1):
            phase = await run_phase(client, body, clients, seconds)
            # let requests still in flight settle before reading
            await asyncio.sleep(1.0)
            rss.append(server.rss_bytes())
            out(
                f"   round {number}: {rss[-1] / 2**20:.0f} MB "
                f"(200 {phase.count(200)}, 429 {phase.count(429)}, 408 {phase.count(408)}, "
                f"other {phase.others})"
            )
    if rounds >= 6:
        growth = rss[6] / rss[3] - 1
        verdict = "yes" if abs(growth) <= TARGET_GROWTH else "no"
        out(
            f"RSS round 6 vs round 3: {growth * 100:+.1f} % "
            f"(target within {TARGET_GROWTH * 100:.0f} %: {verdict})"
        )
