"""English real-time factor of piper and kokoro, side by side on the same texts."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from voxhub.benchmarks.texts import EN
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams, TTSEngine
from voxhub.engines.tts.options import EngineOptions

ENGINES = ("piper", "kokoro")


@dataclass(frozen=True)
class Row:
    engine: str
    rtf: float  # median over texts and repetitions: synthesis seconds per audio second
    audio: float  # seconds of audio for all texts once


def texts(source: str = EN) -> list[str]:
    """One, two and three sentences of the English sample: about 80, 150 and 230 characters."""
    sentences = [f"{s.strip()}." for s in source.split(".") if s.strip()]
    return [" ".join(sentences[:count]) for count in (1, 2, 3)]


def run(
    repeat: int = 5,
    threads: int = 0,
    command: str = "python bench/voices.py",
    out: Callable[[str], None] = print,
) -> list[Row]:
    """Load each engine once, warm it up, then time every text `repeat` times per engine.

    Engines take turns on each text, so a slow spell of the machine hits both alike.
    """
    samples = texts()
    pool = EnginePool(EngineOptions(threads=threads), enabled=ENGINES)
    engines = {name: pool.get(name) for name in ENGINES}
    for engine in engines.values():
        _speak(engine, samples[0])  # warm-up, not timed
    ratios: dict[str, list[float]] = {name: [] for name in ENGINES}
    audio = dict.fromkeys(ENGINES, 0.0)
    for text in samples:
        for round_ in range(repeat):
            for name, engine in engines.items():
                seconds, duration = _timed(engine, text)
                ratios[name].append(seconds / duration)
                if round_ == 0:
                    audio[name] += duration
    rows = [Row(name, statistics.median(ratios[name]), audio[name]) for name in ENGINES]
    _report(rows, samples, repeat, threads, command, out)
    return rows


def _speak(engine: TTSEngine, text: str) -> float:
    voice = engine.default_voice("en")
    return engine.synthesize(text, voice, "en", SynthesisParams()).duration


def _timed(engine: TTSEngine, text: str) -> tuple[float, float]:
    started = time.perf_counter()
    duration = _speak(engine, text)
    return time.perf_counter() - started, duration


def _report(
    rows: Sequence[Row],
    samples: Sequence[str],
    repeat: int,
    threads: int,
    command: str,
    out: Callable[[str], None],
) -> None:
    out(f"command: {command}")
    out(
        f"voxhub English voices benchmark: {os.cpu_count()} cores, {threads or 'all'} "
        f"inference threads, texts of {', '.join(str(len(t)) for t in samples)} chars, "
        f"{repeat} runs per text, median over all runs, warm-up excluded"
    )
    out(f"{'engine':<8}{'median RTF':>12}{'audio s':>10}")
    for row in rows:
        out(f"{row.engine:<8}{row.rtf:>12.4f}{row.audio:>10.2f}")
    by_name = {row.engine: row.rtf for row in rows}
    out(f"kokoro/piper RTF ratio: {by_name['kokoro'] / by_name['piper']:.2f}")
