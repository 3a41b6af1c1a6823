"""Streaming whisper sessions: each VAD segment decoded once; partials re-decode the open one."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from voxhub.engines.asr.base import (
    ASRCapabilities,
    RecognizedSegment,
    Samples,
    StreamOptions,
    Transcript,
    join_words,
)
from voxhub.engines.asr.buffer import UtteranceAudio
from voxhub.engines.asr.chinese import closed_last
from voxhub.engines.asr.cost import DecodeCost
from voxhub.engines.asr.languages import AUTO, resolve_language
from voxhub.engines.asr.vad import SileroVad, SpeechSegmenter, SpeechSpan, VadConfig
from voxhub.engines.asr.whisper.windows import SAMPLE_RATE, shift_segments

# an open segment shorter than this is not worth a decode yet
MIN_PARTIAL_SECONDS = 0.3
# language detection on less audio than this is redone on the next segment
MIN_DETECT_SECONDS = 1.0
# once a stream has a language, only a turn this long, detected with this much of the
# served languages' probability, changes it: a short "OK" or "好的" must not flip a stream
SWITCH_SECONDS = 3.0
SWITCH_PROBABILITY = 0.9


class WhisperDecoder(Protocol):
    """What a session needs of the shared whisper model (the engine is one)."""

    name: str
    vad: SileroVad
    vad_config: VadConfig
    partial_cost: DecodeCost
    final_cost: DecodeCost

    @property
    def capabilities(self) -> ASRCapabilities: ...

    def detect_language(self, samples: Samples) -> tuple[str, float]: ...

    def partial_text(
        self,
        samples: Samples,
        language: str,
        hotwords: str | None = None,
        cost: DecodeCost | None = None,
    ) -> str: ...

    def segment_quickly(
        self,
        samples: Samples,
        language: str,
        hotwords: str | None = None,
        cost: DecodeCost | None = None,
    ) -> list[RecognizedSegment]: ...


class WhisperSession:
    """One utterance at a time over the shared model; all state lives here.

    Audio goes through the VAD as it arrives. A segment closed by a pause is decoded
    once (final quality, word timestamps) and kept; `partial()` re-decodes only the
    segment still open (greedy, no timestamps) and caches it until new audio arrives.
    Audio that no decode needs any more is dropped, so memory stays bounded by the
    longest segment rather than the utterance.
    """

    def __init__(self, engine: WhisperDecoder, options: StreamOptions) -> None:
        self._engine = engine
        self._requested = resolve_language(options.language, engine.capabilities, engine.name)
        words = [w.strip() for w in options.hotwords if w.strip()]
        self._hotwords = ", ".join(words) or None
        self._vad = engine.vad.stream()
        self._segmenter = SpeechSegmenter(engine.vad_config, stream=True)
        self._pad = round(engine.vad_config.padding * SAMPLE_RATE)
        self._audio = UtteranceAudio()
        # the language detected on the stream's earlier turns (auto only)
        self._stream_language: str | None = None
        self._start_utterance()

    def _start_utterance(self) -> None:
        self._vad.reset()
        self._segmenter.reset()
        self._audio.clear()
        # closed segments not yet decoded, and decoded ones (in utterance time)
        self._closed: list[SpeechSpan] = []
        self._decoded: list[RecognizedSegment] = []
        # decoded segments `decode_finished` has returned
        self._reported = 0
        self._language: str | None = None if self._requested == AUTO else self._requested
        # (open segment start, audio end, text) of the last partial decode
        self._hypothesis: tuple[int, int, str] | None = None

    def accept(self, samples: Samples) -> None:
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._audio.append(audio)
        self._closed += self._segmenter.push(self._vad.process(audio))
        # a segment closed by a pause or cut at its maximum length is decoded now, while
        # the speaker goes on, so that `final()` has only the open one left
        self._decode_closed()
        self._forget()

    def partial(self) -> str:
        self._decode_closed()
        return self._text([s.text for s in self._decoded] + [self._open_hypothesis()])

    def final(self) -> Transcript:
        self._closed += self._segmenter.finish(self._audio.end)
        self._decode_closed()
        language = self._spoken
        segments = closed_last(self._decoded, language)
        transcript = Transcript(
            text=join_words([s.text for s in segments], language),
            language=language,
            duration=self._audio.end / SAMPLE_RATE,
            segments=segments,
        )
        self._start_utterance()
        return transcript

    def reset(self) -> None:
        self._start_utterance()

    def close(self) -> None:
        self._stream_language = None
        self._start_utterance()

    def partial_cost(self) -> float:
        """Expected wall seconds of the next `partial()` (0 when it would decode nothing)."""
        engine = self._engine
        cost = sum(engine.final_cost.estimate(self._seconds(s)) for s in self._closed)
        span = self._open_span()
        if span is not None and not self._cached(span):
            cost += engine.partial_cost.estimate(self._seconds(span))
        return cost

    def decode_finished(self) -> list[RecognizedSegment]:
        """The segments closed and decoded since the last call (for finals per segment)."""
        self._decode_closed()
        new = self._decoded[self._reported :]
        self._reported = len(self._decoded)
        return new

    @property
    def audio_seconds(self) -> float:
        """Length of the current utterance."""
        return self._audio.end / SAMPLE_RATE

    @property
    def held_seconds(self) -> float:
        """Audio of the utterance still in memory (what decodes may yet need)."""
        return self._audio.held / SAMPLE_RATE

    # -- decoding ---------------------------------------------------------------------

    def _decode_closed(self) -> None:
        engine = self._engine
        while self._closed:
            span = self._closed[0]
            audio = self._audio.slice(span.start, span.end)
            language = self._language_of(audio)
            segments = engine.segment_quickly(audio, language, self._hotwords, engine.final_cost)
            self._decoded += shift_segments(segments, span)
            self._closed.pop(0)
            self._forget()

    def _open_hypothesis(self) -> str:
        span = self._open_span()
        if span is None:
            return ""
        if self._cached(span):
            assert self._hypothesis is not None
            return self._hypothesis[2]
        engine = self._engine
        audio = self._audio.slice(span.start, span.end)
        language = self._language_of(audio)
        text = engine.partial_text(audio, language, self._hotwords, engine.partial_cost)
        self._hypothesis = (span.start, span.end, text)
        return text

    def _open_span(self) -> SpeechSpan | None:
        start = self._segmenter.open_start
        if start is None or (self._audio.end - start) / SAMPLE_RATE < MIN_PARTIAL_SECONDS:
            return None
        return SpeechSpan(start, self._audio.end)

    def _cached(self, span: SpeechSpan) -> bool:
        return self._hypothesis is not None and self._hypothesis[:2] == (span.start, span.end)

    def _language_of(self, audio: Samples) -> str:
        if self._language is not None:
            return self._language
        seconds = len(audio) / SAMPLE_RATE
        known = self._stream_language
        if known is not None and seconds < SWITCH_SECONDS:
            # too short to overrule the stream's earlier turns (and no detection to pay for)
            return known
        language, probability = self._engine.detect_language(audio)
        if known is not None and probability < SWITCH_PROBABILITY:
            language = known
        if seconds >= MIN_DETECT_SECONDS:
            # one language per utterance, so partials do not flip between scripts
            self._language = self._stream_language = language
        return language

    @property
    def _spoken(self) -> str:
        """The utterance's language; a short turn of a stream takes the stream's without
        fixing its own ("" before anything was detected)."""
        return self._language or self._stream_language or ""

    def _text(self, parts: list[str]) -> str:
        return join_words(parts, self._spoken)

    def _forget(self) -> None:
        """Drop audio before anything a decode may still need."""
        keep = self._segmenter.processed - self._pad
        start = self._segmenter.open_start
        if start is not None:
            keep = min(keep, start)
        if self._closed:
            keep = min(keep, self._closed[0].start)
        self._audio.forget_before(max(keep, 0))

    @staticmethod
    def _seconds(span: SpeechSpan) -> float:
        return (span.end - span.start) / SAMPLE_RATE
