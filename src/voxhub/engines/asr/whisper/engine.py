"""The whisper engine: faster-whisper (CTranslate2, int8) on the packaged whisper-base model."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voxhub.engines.asr.base import (
    ASRCapabilities,
    RecognizedSegment,
    Samples,
    StreamOptions,
    Transcript,
    join_words,
)
from voxhub.engines.asr.chinese import ChineseText, closed_last
from voxhub.engines.asr.cost import DecodeCost
from voxhub.engines.asr.languages import AUTO, resolve_language
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.vad import SileroVad, speech_spans
from voxhub.engines.asr.whisper.echo import without_echo
from voxhub.engines.asr.whisper.loops import without_loop
from voxhub.engines.asr.whisper.model import whisper_model_dir
from voxhub.engines.asr.whisper.quick import quick_decode, speech_end
from voxhub.engines.asr.whisper.session import WhisperSession
from voxhub.engines.asr.whisper.windows import SAMPLE_RATE, shift_segments, speech_windows
from voxhub.engines.asr.whisper.words import WordPiece, recognized
from voxhub.errors import EngineUnavailable

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment

# languages voxhub serves; "auto" picks between them (never a third language)
SPOKEN = ("zh", "en")
# steers whisper towards simplified characters and punctuation
ZH_PROMPT = "以下是普通话的句子。"
# a streaming segment's window (partials keep theirs cut close): on a window cut close to a
# short segment whisper now and then stops early or says the sentence again
SEGMENT_WINDOW_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class DecodePlan:
    """How one decode runs."""

    beam_size: int
    words: bool
    # segment timestamps; partials go without (fewer tokens to generate)
    timestamps: bool
    # fallback temperatures when a decode looks degenerate; partials never retry
    temperatures: tuple[float, ...]


class WhisperEngine:
    """One faster-whisper model per process, shared by every session and file.

    Decodes run on `workers` CTranslate2 replicas at once (no lock of voxhub's own around
    them), each with `threads` threads. Files go through faster-whisper's 30 s windows;
    streaming segments and partials use a window cut to the audio (see whisper_quick).

    For callers that ration partial results (the streaming layer):
    - `partial_cost` and `final_cost` are `DecodeCost` estimates, learned from every decode
      of this process: `engine.partial_cost.estimate(seconds)` is the expected wall time of
      a partial decode of that much audio (load included, since observed times include
      waiting for a core);
    - `WhisperSession.partial_cost()` applies them to what that session's next `partial()`
      would decode (0 when it has nothing new to decode).

    Decodes of several sessions are not batched into one CTranslate2 call: on CPU a batch
    of N encodes costs about 0.8–0.9 × N single ones (measured on 2 cores), too little
    to pay for making every decode wait for the others; parallelism comes from the replicas.
    """

    name = "whisper"

    def __init__(
        self,
        model: WhisperModel,
        vad: SileroVad,
        chinese: ChineseText,
        options: ASROptions,
    ) -> None:
        self._model = model
        self.vad = vad
        self.vad_config = options.vad
        self._chinese = chinese
        self._options = options
        self.partial_plan = DecodePlan(
            beam_size=1, words=False, timestamps=False, temperatures=(0.0,)
        )
        self.final_plan = DecodePlan(
            # one retry at most when a decode looks degenerate: finals must stay prompt
            beam_size=options.beam_size,
            words=True,
            timestamps=True,
            temperatures=(0.0, 0.5),
        )
        self.partial_cost = DecodeCost(fixed=0.15, per_second=0.02)
        self.final_cost = DecodeCost(fixed=0.2, per_second=0.03)

    @classmethod
    def load(cls, options: ASROptions) -> WhisperEngine:
        directory = whisper_model_dir(options.model_dir, options.cache_dir)
        cores = os.cpu_count() or 1
        workers = options.workers or cores
        threads = options.threads or max(1, cores // workers)
        from faster_whisper import WhisperModel

        # it logs every decode at INFO
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        try:
            # a local directory: faster-whisper never looks for a model hub
            model = WhisperModel(
                str(directory),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads,
                num_workers=workers,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineUnavailable(
                f"The whisper model in {directory} failed to load: {exc}"
            ) from exc
        return cls(model, SileroVad.load(), ChineseText.load(), options)

    @property
    def capabilities(self) -> ASRCapabilities:
        return ASRCapabilities(
            languages=frozenset({*SPOKEN, AUTO}),
            sample_rate=SAMPLE_RATE,
            word_timestamps=True,
            incremental=False,
            hotwords=True,
        )

    def open_session(self, options: StreamOptions) -> WhisperSession:
        return WhisperSession(self, options)

    def transcribe(
        self,
        samples: Samples,
        language: str | None,
        word_timestamps: bool = True,
        prompt: str | None = None,
    ) -> Transcript:
        """A whole recording: silence skipped by the VAD, speech decoded in windows up to 28 s."""
        requested = resolve_language(language, self.capabilities, self.name)
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        windows = speech_windows(speech_spans(self.vad, audio, self.vad_config))
        plan = DecodePlan(
            beam_size=self._options.file_beam_size,
            words=word_timestamps,
            timestamps=True,
            temperatures=(0.0, 0.2, 0.4, 0.6, 0.8),
        )
        spoken = requested
        if requested == AUTO:
            spoken = (
                self.detect_language(audio[windows[0].start : windows[0].end])[0] if windows else ""
            )
        segments: list[RecognizedSegment] = []
        for window in windows:
            decoded = self.decode(audio[window.start : window.end], spoken, plan, prompt)
            # windows end at pauses in the speech
            segments += shift_segments(closed_last(decoded, spoken), window)
        return Transcript(
            text=join_words([s.text for s in segments], spoken),
            language=spoken,
            duration=len(audio) / SAMPLE_RATE,
            segments=tuple(segments),
        )

    def detect_language(self, samples: Samples) -> tuple[str, float]:
        """The likelier of "zh" and "en" for the audio (other languages are not served), and
        its share of the two's probability."""
        _, _, ranked = self._model.detect_language(audio=samples)
        scores = dict(ranked)
        best = max(SPOKEN, key=lambda code: scores.get(code, 0.0))
        total = sum(scores.get(code, 0.0) for code in SPOKEN)
        return best, scores.get(best, 0.0) / total if total > 0 else 0.0

    def decode(
        self,
        samples: Samples,
        language: str,
        plan: DecodePlan,
        hotwords: str | None = None,
        cost: DecodeCost | None = None,
    ) -> list[RecognizedSegment]:
        """Recognize up to 30 s of audio; times are relative to its first sample.

        `cost` learns from the time this decode took.
        """
        started = time.perf_counter()
        found, _ = self._model.transcribe(
            samples,
            language=language,
            beam_size=plan.beam_size,
            best_of=plan.beam_size,
            temperature=list(plan.temperatures),
            # every call is one window: previous text would only spread errors
            condition_on_previous_text=False,
            without_timestamps=not plan.timestamps,
            word_timestamps=plan.words,
            initial_prompt=ZH_PROMPT if language == "zh" else None,
            hotwords=hotwords,
            vad_filter=False,
        )
        # the generator decodes as it is consumed
        segments = [s for s in (self._segment(raw, language) for raw in found) if s is not None]
        if cost is not None:
            cost.observe(len(samples) / SAMPLE_RATE, time.perf_counter() - started)
        return segments

    def partial_text(
        self,
        samples: Samples,
        language: str,
        hotwords: str | None = None,
        cost: DecodeCost | None = None,
    ) -> str:
        """A quick hypothesis of up to 30 s of audio (greedy, no timestamps, short window)."""
        started = time.perf_counter()
        decoded = quick_decode(self._model, samples, language, self._prompt(language, hotwords))
        if decoded.degenerate:
            segments = self.decode(samples, language, self.partial_plan, hotwords)
            return join_words([s.text for s in segments], language)
        if cost is not None:
            cost.observe(len(samples) / SAMPLE_RATE, time.perf_counter() - started)
        return self._whole_text(decoded.text, language)

    def segment_quickly(
        self,
        samples: Samples,
        language: str,
        hotwords: str | None = None,
        cost: DecodeCost | None = None,
    ) -> list[RecognizedSegment]:
        """One streaming segment (≤ 30 s) with word times, on a window cut to the audio."""
        started = time.perf_counter()
        decoded = quick_decode(
            self._model,
            samples,
            language,
            self._prompt(language, hotwords),
            beam_size=self._options.beam_size,
            words=True,
            min_seconds=SEGMENT_WINDOW_SECONDS,
        )
        if decoded.degenerate or decoded.stops_early(speech_end(samples)):
            # the full 30 s window, with its temperature fallback
            return self.decode(samples, language, self.final_plan, hotwords, cost)
        if cost is not None:
            cost.observe(len(samples) / SAMPLE_RATE, time.perf_counter() - started)
        text, words = recognized(
            (WordPiece(*found) for found in decoded.words),
            lambda piece: self._clean(piece, language),
            _echo(language),
        )
        if not words:
            text = self._whole_text(decoded.text, language)
        if not text:
            return []
        start = words[0].start if words else 0.0
        end = words[-1].end if words else len(samples) / SAMPLE_RATE
        return [RecognizedSegment(text, start, end, words)]

    @staticmethod
    def _prompt(language: str, hotwords: str | None) -> str | None:
        parts = [p for p in (ZH_PROMPT if language == "zh" else None, hotwords) if p]
        return ", ".join(parts) or None

    def _segment(self, raw: Segment, language: str) -> RecognizedSegment | None:
        text, words = recognized(
            (
                WordPiece(w.word, float(w.start), float(w.end), float(w.probability))
                for w in raw.words or ()
            ),
            lambda piece: self._clean(piece, language),
            _echo(language),
        )
        if not words:
            text = self._whole_text(raw.text, language)
        if not text:
            return None
        return RecognizedSegment(text, float(raw.start), float(raw.end), words)

    def _clean(self, text: str, language: str) -> str:
        return self._chinese.clean(text) if language == "zh" else " ".join(text.split())

    def _whole_text(self, text: str, language: str) -> str:
        """A decode's text, cleaned, a loop and a prompt repeat cut (word pieces are cut in
        `recognized`)."""
        return without_echo(without_loop(self._clean(text, language), language), _echo(language))


def _echo(language: str) -> str:
    """What whisper may repeat of the style prompt instead of hearing the audio."""
    return ZH_PROMPT if language == "zh" else ""
