"""Real-time recognition: N concurrent real-time streams vs the engine's capacity.

For each engine: a direct streaming session in this process gives the real-time factor
(RTF) and so the capacity, cores ÷ RTF streams; then a `voxhub serve` process takes N = 1, 2,
4, 8, 16 concurrent clients, each streaming the same speech in real time (100 ms frames,
partials on) and stopping at its end, starts staggered over one utterance as users are.
Reported per N: p50/p95 latency from `stop` to `final`, the median interval between
partials, the server's CPU, and the word error rate; then the largest N whose p95 final
latency is ≤ 1.5 s, as a share of the capacity (target ≥ 0.8).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voxhub.audio.resample import resample
from voxhub.benchmarks.server import ServeProcess
from voxhub.client.asr_stream import StreamClient
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.asr.base import ASREngine, ASRSession, Samples, StreamOptions
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.engines.tts.base import SynthesisParams
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import Settings

STREAMS = (1, 2, 4, 8, 16)
ENGINES = ("pocketsphinx", "whisper")
TARGET_P95 = 1.5
TARGET_CAPACITY_SHARE = 0.8
RATE = 16_000
FRAME_MS = 100
# English that pocketsphinx's en-us model and whisper both understand well (kokoro's voice)
TEXT = (
    "The weather is nice today and we are going to the park to play football. "
    "Please call me back when you get this message."
)
VOICE = "kokoro:jf_gongitsune"
SPEED = 0.85
# the direct session feeds audio in pieces like the server does, and asks for a partial
# as often as the server's base cadence would
PIECE_SECONDS = 0.2


@dataclass(frozen=True)
class Direct:
    # seconds of decoding per second of audio: audio in 200 ms pieces, then the final
    rtf: float
    # the same with a partial as often as the base cadence asks (one stream, no load)
    rtf_with_partials: float
    wer: float

    def capacity(self, cores: int) -> float:
        """Real-time streams the cores can recognize; under load partials thin out, so the
        work of recognition itself is what bounds it."""
        return cores / self.rtf if self.rtf > 0 else math.inf


@dataclass(frozen=True)
class Phase:
    streams: int
    latencies: list[float]
    partial_intervals: list[float]
    cpu_cores: float
    wer: float
    errors: int

    @property
    def p95(self) -> float:
        return percentile(sorted(self.latencies), 95)


def run(
    out: Callable[[str], None] = print,
    engines: Sequence[str] = ENGINES,
    streams: Sequence[int] = STREAMS,
    rounds: int = 2,
    all_streams: bool = False,
    api_workers: int = 1,
) -> None:
    """Measure each engine; print a table per engine and its share of capacity."""
    settings = Settings()
    cores = os.cpu_count() or 1
    pcm = _speech(settings)
    seconds = len(pcm) / 2 / RATE
    out(
        f"voxhub ASR benchmark: {cores} cores (os.cpu_count()); speech {seconds:.1f} s "
        f"({VOICE} at speed {SPEED}, English); {FRAME_MS} ms frames in real time, partials on; "
        f"{rounds} utterance(s) per stream, stream starts staggered over one utterance; "
        f"{api_workers} API process(es)"
    )
    for engine in engines:
        direct = _direct(engine, pcm, settings)
        capacity = direct.capacity(cores)
        out(
            f"\nengine {engine}: direct streaming session RTF {direct.rtf:.3f} "
            f"({direct.rtf_with_partials:.3f} with partials at the base cadence; WER "
            f"{direct.wer:.2f}) → capacity cores ÷ RTF = {capacity:.1f} real-time streams"
        )
        phases = _serve_and_measure(engine, pcm, streams, rounds, all_streams, api_workers, out)
        best = max((p.streams for p in phases if p.p95 <= TARGET_P95), default=0)
        share = best / capacity if math.isfinite(capacity) else 0.0
        met = "met" if share >= TARGET_CAPACITY_SHARE else "NOT met"
        bound = (
            " (a lower bound: every N measured passed)"
            if phases and all(p.p95 <= TARGET_P95 for p in phases)
            else ""
        )
        out(
            f"largest N with p95 final latency ≤ {TARGET_P95:g} s: {best}; {best} / "
            f"{capacity:.1f} = {share:.2f} of capacity{bound}, target ≥ "
            f"{TARGET_CAPACITY_SHARE:g}: {met}"
        )


def _speech(settings: Settings) -> bytes:
    """The benchmark's utterance, spoken by kokoro, as 16 kHz PCM16 with short pauses."""
    pool = EnginePool(EngineOptions(threads=settings.engines.threads), enabled=["kokoro"])
    kokoro = pool.get("kokoro")
    voice = next(v for v in kokoro.voices() if v.id == VOICE)
    spoken = kokoro.synthesize(TEXT, voice, "en", SynthesisParams(speed=SPEED))
    samples = resample(spoken.samples, spoken.sample_rate, RATE)
    pad = np.zeros(RATE // 4, dtype=np.float32)
    whole = np.concatenate([pad, samples, pad])
    pcm: bytes = (np.clip(whole, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm


def _direct(name: str, pcm: bytes, settings: Settings) -> Direct:
    """RTF of one streaming session in this process, driven as the server drives it."""
    asr = settings.asr
    pool = ASREnginePool(ASROptions(threads=asr.threads, model_dir=asr.model_dir), [name])
    engine: ASREngine = pool.get(name)
    samples: Samples = (np.frombuffer(pcm, dtype="<i2") / 32768).astype(np.float32)
    piece = round(PIECE_SECONDS * RATE)
    # partials as often as the base cadence asks (an incremental engine twice as often)
    every = max(round(asr.partial_interval / PIECE_SECONDS), 1)
    if engine.capabilities.incremental:
        every = max(every // 2, 1)
    seconds = len(samples) / RATE
    session = engine.open_session(StreamOptions(language="en"))
    try:
        _stream_once(session, samples[:piece], piece, None)  # warm-up
        started = time.perf_counter()
        text = _stream_once(session, samples, piece, None)
        plain = time.perf_counter() - started
        started = time.perf_counter()
        _stream_once(session, samples, piece, every)
        with_partials = time.perf_counter() - started
    finally:
        session.close()
    return Direct(plain / seconds, with_partials / seconds, word_error_rate(TEXT, text))


def _stream_once(session: ASRSession, samples: Samples, piece: int, every: int | None) -> str:
    for index, offset in enumerate(range(0, len(samples), piece)):
        session.accept(samples[offset : offset + piece])
        if every is not None and (index + 1) % every == 0:
            session.partial()
    return session.final().text


def _serve_and_measure(
    engine: str,
    pcm: bytes,
    streams: Sequence[int],
    rounds: int,
    all_streams: bool,
    api_workers: int,
    out: Callable[[str], None],
) -> list[Phase]:
    env = {
        "VOXHUB_ASR__DEFAULT": engine,
        "VOXHUB_ASR__ENABLED": f'["{engine}"]',
        "VOXHUB_ASR__PRELOAD": f'["{engine}"]',
        "VOXHUB_ASR__MAX_CONNECTIONS": str(max(streams) + 4),
    }
    phases: list[Phase] = []
    with (
        tempfile.TemporaryDirectory() as data_dir,
        ServeProcess(
            Path(data_dir), "espeak", ["--no-workers", "--workers", str(api_workers)], env, 600
        ) as server,
    ):
        url = server.url.replace("http://", "ws://") + "/v1/asr/stream"
        asyncio.run(stream_phase(url, pcm[: RATE * 2], 1, 1, server))  # warm-up, not counted
        out(
            f"{'N':>3}{'p50 final s':>13}{'p95 final s':>13}{'partial every s':>17}"
            f"{'server cores':>14}{'WER':>7}{'errors':>8}"
        )
        for count in streams:
            phase = asyncio.run(stream_phase(url, pcm, count, rounds, server))
            phases.append(phase)
            latencies = sorted(phase.latencies)
            interval = (
                statistics.median(phase.partial_intervals) if phase.partial_intervals else math.nan
            )
            out(
                f"{count:>3}{percentile(latencies, 50):>13.3f}{phase.p95:>13.3f}"
                f"{interval:>17.3f}{phase.cpu_cores:>14.2f}{phase.wer:>7.2f}{phase.errors:>8}"
            )
            if phase.p95 > TARGET_P95 and not all_streams:
                out(f"    (larger N skipped: p95 is over {TARGET_P95:g} s already)")
                break
    return phases


async def stream_phase(
    url: str, pcm: bytes, count: int, rounds: int, server: ServeProcess, reference: str = TEXT
) -> Phase:
    seconds = len(pcm) / 2 / RATE
    latencies: list[float] = []
    intervals: list[float] = []
    wers: list[float] = []
    errors = 0

    async def one(index: int) -> None:
        nonlocal errors
        # users do not all press at once: starts are spread over one utterance
        await asyncio.sleep(seconds * index / count)
        async with await StreamClient.open(url) as client:
            await client.send(client.dialect.start("en", True, None))
            await client.next({"ready"}, 120)
            for _ in range(rounds):
                said = await client.utterance(pcm, FRAME_MS, realtime=True, final_within=300)
                if said.final.get("type") != "final":
                    errors += 1
                    continue
                latencies.append(said.latency)
                wers.append(word_error_rate(reference, str(said.final.get("text", ""))))
                times = [t for t, _ in said.partials]
                intervals.extend(b - a for a, b in itertools.pairwise(times))

    cpu, wall = server.tree_cpu_seconds(), time.perf_counter()
    results = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    errors += sum(1 for r in results if isinstance(r, BaseException))
    cpu_cores = (server.tree_cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return Phase(
        streams=count,
        latencies=latencies,
        partial_intervals=intervals,
        cpu_cores=cpu_cores,
        wer=statistics.mean(wers) if wers else math.nan,
        errors=errors,
    )


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list; NaN when it is empty."""
    if not sorted_values:
        return math.nan
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]
