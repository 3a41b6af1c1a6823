"""A deterministic engine for fault-injection tests: tones per character, failures on demand."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence

import numpy as np

from voxhub.engines.base import (
    Capabilities,
    EngineOptions,
    Samples,
    SpokenAudio,
    SynthesisParams,
    Voice,
)
from voxhub.errors import EngineUnavailable, UnsupportedLanguage
from voxhub.timing import WordTiming

SAMPLE_RATE = 16_000
CHAR_SECONDS = 0.05
GAP_SECONDS = 0.03
# a Latin word, a number, or one CJK character: what the fake engine "speaks" as a word
_WORD = re.compile(r"[A-Za-z0-9'’]+|[\u3400-\u9fff]")


class FakeEngine:
    """Speaks each word as a tone, 50 ms per character, so timings are exactly known.

    Knobs for tests: `fail_on` (a substring that makes `synthesize` fail as an engine
    would), `delay_per_char` (seconds of extra blocking per character, to simulate slow
    inference) and `calls` (how many times `synthesize` ran).
    """

    name = "fake"

    def __init__(self) -> None:
        self.fail_on: str | None = None
        self.delay_per_char = 0.0
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._voice = Voice(
            id="fake:a",
            name="a",
            engine=self.name,
            languages=("zh", "en"),
            description="Test tones",
        )
        self._capabilities = Capabilities(
            languages=frozenset({"zh", "en"}),
            sample_rate=SAMPLE_RATE,
            word_timings=True,
            streaming=True,
            cloning=False,
        )

    @classmethod
    def load(cls, options: EngineOptions) -> FakeEngine:
        return cls()

    @property
    def calls(self) -> int:
        with self._calls_lock:
            return self._calls

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def voices(self) -> Sequence[Voice]:
        return [self._voice]

    def default_voice(self, language: str) -> Voice:
        if language not in self._capabilities.languages:
            raise UnsupportedLanguage(f"The fake engine speaks zh and en, not {language!r}.")
        return self._voice

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        with self._calls_lock:
            self._calls += 1
        if self.fail_on is not None and self.fail_on in text:
            raise EngineUnavailable(f"The fake engine was told to fail on {self.fail_on!r}.")
        if self.delay_per_char:
            time.sleep(self.delay_per_char * len(text))
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
