"""A deterministic speech recognition engine for fault and limit tests: one word per 100 ms."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from voxhub.engines.asr.base import (
    ASRCapabilities,
    RecognizedSegment,
    RecognizedWord,
    Samples,
    StreamOptions,
    Transcript,
)
from voxhub.engines.asr.options import ASROptions
from voxhub.errors import EngineUnavailable

SAMPLE_RATE = 16_000
WORD_SECONDS = 0.1
_BLOCK = round(WORD_SECONDS * SAMPLE_RATE)
# a block quieter than this (RMS) is silence and holds no word
SILENCE_RMS = 0.01


class FakeASREngine:
    """ "Hears" one word per 100 ms block of non-silent audio: "w1 w2 w3 ...", numbered
    within the utterance, so a test knows the exact transcript of the audio it sends.

    Knobs, set on the loaded instance by tests: `decode_delay` (seconds that every
    `partial()` and `final()` blocks, like a re-decoding engine), `accept_delay` (seconds per
    `accept()`), `fail_on` (method names that raise EngineUnavailable) and `incremental`
    (the capability the streaming service adapts to). What happened: `calls` per method,
    `max_concurrent` calls seen at once, `threads` (names of the threads that called) and,
    when a test sets `log` to a list, (time.monotonic(), method) of every call as it starts.
    """

    name = "fake"

    def __init__(self) -> None:
        self.decode_delay = 0.0
        self.accept_delay = 0.0
        self.fail_on: set[str] = set()
        self.incremental = True
        self.calls: Counter[str] = Counter()
        self.threads: set[str] = set()
        self.max_concurrent = 0
        self.log: list[tuple[float, str]] | None = None
        self._active = 0
        self._lock = threading.Lock()

    @classmethod
    def load(cls, options: ASROptions) -> FakeASREngine:
        return cls()

    @property
    def capabilities(self) -> ASRCapabilities:
        return ASRCapabilities(
            languages=frozenset({"zh", "en", "auto"}),
            sample_rate=SAMPLE_RATE,
            word_timestamps=True,
            incremental=self.incremental,
            hotwords=True,
        )

    def open_session(self, options: StreamOptions) -> FakeSession:
        return FakeSession(self, options)

    def transcribe(
        self,
        samples: Samples,
        language: str | None,
        word_timestamps: bool = True,
        prompt: str | None = None,
    ) -> Transcript:
        session = FakeSession(self, StreamOptions(language=language, partials=False))
        session.accept(samples)
        return session.final()

    @contextmanager
    def call(self, method: str) -> Iterator[None]:
        """Count and time one session call; fail it when told to."""
        with self._lock:
            self.calls[method] += 1
            self.threads.add(threading.current_thread().name)
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
            if self.log is not None:
                self.log.append((time.monotonic(), method))
        try:
            if method in self.fail_on:
                raise EngineUnavailable(f"The fake engine was told to fail in {method}().")
            delays = {"accept": self.accept_delay, "partial": self.decode_delay}
            delay = delays.get(method, self.decode_delay if method == "final" else 0.0)
            if delay:
                time.sleep(delay)
            yield
        finally:
            with self._lock:
                self._active -= 1


class FakeSession:
    """Keeps only which 100 ms blocks were loud, never the audio itself."""

    def __init__(self, engine: FakeASREngine, options: StreamOptions) -> None:
        self._engine = engine
        language = options.language
        self._language = "en" if language in (None, "auto") else language
        self._loud: list[bool] = []
        self._rest = np.zeros(0, dtype=np.float32)
        self.closed = False

    def accept(self, samples: Samples) -> None:
        with self._engine.call("accept"):
            audio = np.concatenate([self._rest, np.asarray(samples, dtype=np.float32)])
            whole = len(audio) // _BLOCK * _BLOCK
            if whole:
                blocks = audio[:whole].reshape(-1, _BLOCK)
                rms = np.sqrt(np.mean(np.square(blocks), axis=1))
                self._loud.extend(bool(v) for v in rms >= SILENCE_RMS)
            self._rest = audio[whole:].copy()

    def partial(self) -> str:
        with self._engine.call("partial"):
            return " ".join(word.text for word in self._words(self._loud))

    def final(self) -> Transcript:
        with self._engine.call("final"):
            loud = list(self._loud)
            # a trailing half block or more counts as a word, as a real decoder would finish it
            if len(self._rest) >= _BLOCK // 2:
                rms = float(np.sqrt(np.mean(np.square(self._rest))))
                loud.append(rms >= SILENCE_RMS)
            words = self._words(loud)
            duration = (len(self._loud) * _BLOCK + len(self._rest)) / SAMPLE_RATE
            self._clear()
        text = " ".join(word.text for word in words)
        segments = (
            (RecognizedSegment(text, words[0].start, words[-1].end, tuple(words)),) if words else ()
        )
        return Transcript(text, self._language, duration, segments)

    def reset(self) -> None:
        with self._engine.call("reset"):
            self._clear()

    def close(self) -> None:
        with self._engine.call("close"):
            self._clear()
            self.closed = True

    def _clear(self) -> None:
        self._loud = []
        self._rest = np.zeros(0, dtype=np.float32)

    @staticmethod
    def _words(loud: list[bool]) -> list[RecognizedWord]:
        words: list[RecognizedWord] = []
        for index, is_loud in enumerate(loud):
            if is_loud:
                start = index * WORD_SECONDS
                words.append(RecognizedWord(f"w{len(words) + 1}", start, start + WORD_SECONDS))
        return words
