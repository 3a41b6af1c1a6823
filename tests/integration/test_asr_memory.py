"""A server's memory does not grow with real-time connections: 500 connect/stream/disconnect
cycles against `voxhub serve` in its own process, with the pocketsphinx engine."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from tests.support.asr_support import frames
from voxhub.benchmarks.server import ServeProcess
from voxhub.client.asr_stream import StreamClient

CYCLES = 500
WARM_UP = 50
# RSS after all cycles over RSS after the warm-up
MAX_GROWTH = 1.10


def noise_bursts(seconds: float) -> bytes:
    """Loud bursts of noise: enough to keep pocketsphinx's search busy, with no TTS model to
    load in this test."""
    rng = np.random.default_rng(7)
    samples = rng.normal(0, 0.1, round(seconds * 16_000)).astype(np.float32)
    envelope = (np.sin(np.linspace(0, 6 * np.pi, len(samples))) > 0).astype(np.float32)
    return (samples * envelope * 32767).astype("<i2").tobytes()


async def cycle(url: str, pcm: bytes) -> None:
    async with await StreamClient.open(url) as client:
        await client.send(client.dialect.start("en", True, None))
        await client.next({"ready"}, 30)
        for frame in frames(pcm):
            await client.send(frame)
        await client.send(client.dialect.stop())
        await client.next({"final"}, 30)


def test_rss_stays_flat_over_500_connections(tmp_path: Path) -> None:
    env = {
        "VOXHUB_ASR__DEFAULT": "pocketsphinx",
        "VOXHUB_ASR__ENABLED": '["pocketsphinx"]',
        "VOXHUB_ASR__PRELOAD": '["pocketsphinx"]',
        "VOXHUB_ASR__MAX_CONNECTIONS": "8",
    }
    pcm = noise_bursts(0.5)
    with ServeProcess(tmp_path, "espeak", ["--no-workers"], env, wait=120) as server:
        url = server.url.replace("http://", "ws://") + "/v1/asr/stream"

        async def run(count: int) -> None:
            # two clients at a time, as users overlap
            for _ in range(count // 2):
                await asyncio.gather(cycle(url, pcm), cycle(url, pcm))

        asyncio.run(run(WARM_UP))
        after_warm_up = server.rss_bytes()
        asyncio.run(run(CYCLES - WARM_UP))
        after_all = server.rss_bytes()
    growth = after_all / after_warm_up
    assert growth <= MAX_GROWTH, (
        f"RSS grew from {after_warm_up / 1e6:.1f} MB after {WARM_UP} cycles to "
        f"{after_all / 1e6:.1f} MB after {CYCLES}"
    )
