"""Long unbroken turns: N real-time streams of ~28 s of continuous speech against the same
whisper weights transcribing each whole turn directly, one thread per stream."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voxhub.audio.resample import resample
from voxhub.benchmarks.asr import RATE, percentile, stream_phase
from voxhub.benchmarks.server import ServeProcess
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.asr.whisper.model import whisper_model_dir
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import Settings

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

SENTENCES = (
    "The weather is nice today and we are going to the park to play football.",
    "Please call me back when you get this message.",
    "Our team finished the quarterly report two days ahead of schedule.",
    "The train to the airport leaves every fifteen minutes from platform four.",
    "She planted tomatoes, peppers and a row of sunflowers along the fence.",
    "Remember to bring a warm jacket because the evening will be cold.",
    "The museum opens at nine and closes early on public holidays.",
    "My brother is learning to cook and makes pasta every weekend.",
    "We should leave before the traffic gets heavy on the bridge.",
    "The library has a new collection of maps from the last century.",
)
VOICE = "kokoro:jf_gongitsune"
TURN_SECONDS = 28.0
# pauses are shortened to this, so no pause is long enough (0.5 s) to close a VAD segment
GAP_SECONDS = 0.25
STREAMS = (1, 8)
TARGET_P95 = 1.5


def continuous_speech(settings: Settings) -> tuple[bytes, str]:
    """About 28 s of English without a pause over 0.25 s, as 16 kHz PCM16, and its text."""
    pool = EnginePool(EngineOptions(threads=settings.engines.threads), enabled=["kokoro"])
    kokoro = pool.get("kokoro")
    voice = next(v for v in kokoro.voices() if v.id == VOICE)
    pieces: list[np.ndarray] = []
    said: list[str] = []
    for sentence in SENTENCES:
        spoken = kokoro.synthesize(sentence, voice, "en", SynthesisParams())
        samples = _squeeze_pauses(resample(spoken.samples, spoken.sample_rate, RATE))
        pieces += [samples, np.zeros(round(GAP_SECONDS * RATE), dtype=np.float32)]
        said.append(sentence)
        if sum(map(len, pieces)) / RATE >= TURN_SECONDS:
            break
    whole = np.concatenate(pieces)
    return (np.clip(whole, -1, 1) * 32767).astype("<i2").tobytes(), " ".join(said)


def _squeeze_pauses(samples: np.ndarray) -> np.ndarray:
    """Drop quiet 10 ms frames beyond GAP_SECONDS in a row (and at the edges)."""
    frame = RATE // 100
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = np.abs(frames).max(axis=1) > 0.02
    keep: list[np.ndarray] = []
    quiet = 0
    limit = round(GAP_SECONDS * 100)
    for index, chunk in enumerate(frames):
        quiet = 0 if loud[index] else quiet + 1
        if quiet <= limit and loud[: index + 1].any() and loud[index:].any():
            keep.append(chunk)
    return np.concatenate(keep)


def run(streams: Sequence[int] = STREAMS, out: Callable[[str], None] = print) -> None:
    settings = Settings()
    pcm, reference = continuous_speech(settings)
    seconds = len(pcm) / 2 / RATE
    out(
        f"\nlong unbroken turns: {seconds:.1f} s of English ({VOICE}), pauses ≤ {GAP_SECONDS} s, "
        "streamed in real time; final latency after `stop`; direct = faster-whisper transcribing "
        "each whole turn at its end, one thread per stream, same weights"
    )
    out(f"{'N':>3}{'side':>8}{'p50 s':>8}{'p95 s':>8}{'cores':>7}{'WER':>7}")
    env = {
        "VOXHUB_ASR__DEFAULT": "whisper",
        "VOXHUB_ASR__ENABLED": '["whisper"]',
        "VOXHUB_ASR__PRELOAD": '["whisper"]',
        "VOXHUB_ASR__MAX_CONNECTIONS": str(max(streams) + 4),
    }
    rows: dict[int, tuple[float, float]] = {}
    with (
        tempfile.TemporaryDirectory() as data_dir,
        ServeProcess(Path(data_dir), "espeak", ["--no-workers"], env, 600) as server,
    ):
        url = server.url.replace("http://", "ws://") + "/v1/asr/stream"
        asyncio.run(stream_phase(url, pcm[: RATE * 2], 1, 1, server, reference))  # warm-up
        for count in streams:
            phase = asyncio.run(stream_phase(url, pcm, count, 1, server, reference))
            latencies = sorted(phase.latencies)
            rows[count] = (phase.p95, phase.wer)
            out(
                f"{count:>3}{'voxhub':>8}{percentile(latencies, 50):>8.2f}{phase.p95:>8.2f}"
                f"{phase.cpu_cores:>7.2f}{phase.wer:>7.3f}"
                + (f"  ({phase.errors} errors)" if phase.errors else "")
            )
    directs = _direct(pcm, reference, streams, settings)
    for count in streams:
        p50, p95, cores, wer = directs[count]
        out(f"{count:>3}{'direct':>8}{p50:>8.2f}{p95:>8.2f}{cores:>7.2f}{wer:>7.3f}")
    for count in streams:
        p95, _ = rows[count]
        out(
            f"N={count}: voxhub p95 {p95:.2f} s (target ≤ {TARGET_P95:g}) vs direct "
            f"{directs[count][1]:.2f} s: {directs[count][1] / p95:.1f}x faster"
        )
    if len(streams) > 1:
        first, last = rows[streams[0]][1], rows[streams[-1]][1]
        change = 100 * (last - first)
        out(f"WER N={streams[-1]} − N={streams[0]}: {change:+.1f} points (target ≤ 1)")


def _direct(
    pcm: bytes, reference: str, streams: Sequence[int], settings: Settings
) -> dict[int, tuple[float, float, float, float]]:
    """p50, p95, cores and WER when N threads each transcribe the whole turn at its end."""
    from faster_whisper import WhisperModel

    cores = os.cpu_count() or 1
    model = WhisperModel(
        str(whisper_model_dir(settings.asr.model_dir, None)),
        device="cpu",
        compute_type="int8",
        cpu_threads=1,
        num_workers=cores,
        local_files_only=True,
    )
    audio = (np.frombuffer(pcm, dtype="<i2") / 32768).astype(np.float32)
    return {count: _direct_phase(model, audio, reference, count) for count in streams}


def _direct_phase(
    model: WhisperModel, audio: np.ndarray, reference: str, count: int
) -> tuple[float, float, float, float]:
    latencies: list[float] = []
    wers: list[float] = []
    lock = threading.Lock()

    def one() -> None:
        started = time.perf_counter()
        segments, _ = model.transcribe(audio, language="en", beam_size=1)
        text = " ".join(segment.text.strip() for segment in segments)
        with lock:
            latencies.append(time.perf_counter() - started)
            wers.append(word_error_rate(reference, text))

    cpu, wall = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = (time.process_time() - cpu) / (time.perf_counter() - wall)
    ordered = sorted(latencies)
    return percentile(ordered, 50), percentile(ordered, 95), used, statistics.mean(wers)
