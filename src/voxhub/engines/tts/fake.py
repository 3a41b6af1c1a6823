"""A deterministic engine for fault-injection tests: tones per character, failures on demand."""

from __future__ import annotations

import fcntl
import json
import re
import threading
import time
from pathlib import Path

import numpy as np

from voxhub.engines.tts.base import (
    Capabilities,
    Samples,
    SpokenAudio,
    StockVoices,
    SynthesisParams,
    Voice,
)
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineUnavailable
from voxhub.timing import WordTiming

SAMPLE_RATE = 16_000
CHAR_SECONDS = 0.05
GAP_SECONDS = 0.03
# a Latin word, a number, or one CJK character: what the fake engine "speaks" as a word
_WORD = re.compile(r"[A-Za-z0-9'’]+|[\u3400-\u9fff]")


class FakeEngine(StockVoices):
    """Speaks each word as a tone, 50 ms per character, so timings are exactly known.

    Knobs for tests: `fail_on` (a substring that makes `synthesize` fail as an engine
    would), `delay_per_char` (seconds of extra blocking per character, to simulate slow
    inference) and `calls` (how many times `synthesize` ran).

    Across processes (job workers), the same knobs come from a JSON fault plan file,
    `{"fail_on": "...", "times": N, "delay_per_char": S}`, read at every call: `times` is
    how many more calls fail (-1 for all), and the time of each failure is appended to
    its `failures` list, so a test can see when attempts happened.
    """

    label = "The fake engine"

    name = "fake"

    def __init__(self, fault_file: Path | None = None) -> None:
        self._fault_file = fault_file
        self.fail_on: str | None = None
        self.delay_per_char = 0.0
        self._calls = 0
        self._calls_lock = threading.Lock()
        voice = Voice(
            id="fake:a",
            name="a",
            engine=self.name,
            languages=("zh", "en"),
            description="Test tones",
        )
        self._voices = [voice]
        self._default_ids = {"zh": voice.id, "en": voice.id}
        self._capabilities = Capabilities(
            languages=frozenset({"zh", "en"}),
            sample_rate=SAMPLE_RATE,
            word_timings=True,
            streaming=True,
            cloning=False,
        )

    @classmethod
    def load(cls, options: EngineOptions) -> FakeEngine:
        return cls(Path(options.fault_file) if options.fault_file else None)

    @property
    def calls(self) -> int:
        with self._calls_lock:
            return self._calls

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        with self._calls_lock:
            self._calls += 1
        if self.fail_on is not None and self.fail_on in text:
            raise EngineUnavailable(f"The fake engine was told to fail on {self.fail_on!r}.")
        delay = self.delay_per_char
        if self._fault_file is not None:
            delay = max(delay, _planned_fault(self._fault_file, text))
        if delay:
            time.sleep(delay * len(text))
        speed = min(max(params.speed, 0.5), 2.0)
        pieces: list[Samples] = []
        words: list[WordTiming] = []
        cursor = 0
        gap = np.zeros(round(GAP_SECONDS / speed * SAMPLE_RATE), dtype=np.float32)
        for match in _WORD.finditer(text):
            if pieces:
                pieces.append(gap)
                cursor += len(gap)
            tone = _tone(match.group(), speed)
            words.append(
                WordTiming(match.group(), cursor / SAMPLE_RATE, (cursor + len(tone)) / SAMPLE_RATE)
            )
            pieces.append(tone)
            cursor += len(tone)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return SpokenAudio(samples, SAMPLE_RATE, tuple(words))


def _tone(word: str, speed: float) -> Samples:
    """A tone whose pitch depends on the word, so different text gives different audio."""
    length = round(len(word) * CHAR_SECONDS / speed * SAMPLE_RATE)
    frequency = 200.0 + (sum(map(ord, word)) % 600)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def _planned_fault(path: Path, text: str) -> float:
    """Apply the fault plan in `path` to one call; returns its delay per character."""
    if not path.exists():
        return 0.0
    with path.open("r+", encoding="utf-8") as file:
        # the plan is shared by worker processes: change it under an exclusive lock
        fcntl.flock(file, fcntl.LOCK_EX)
        plan = json.loads(file.read() or "{}")
        fail_on = plan.get("fail_on")
        times = int(plan.get("times", -1))
        if fail_on and fail_on in text and times != 0:
            plan["times"] = times - 1 if times > 0 else times
            plan.setdefault("failures", []).append(time.time())
            file.seek(0)
            file.truncate()
            file.write(json.dumps(plan))
            raise EngineUnavailable(f"The fake engine's fault plan fails on {fail_on!r}.")
        return float(plan.get("delay_per_char", 0.0))
