"""Online synthesis: validate a request, then speak it sentence by sentence with timings."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from voxhub.access import EVERYONE, Access
from voxhub.audio.formats import AudioFormat, check_output, encoded_rate, parse_format
from voxhub.audio.resample import resample
from voxhub.audio.silence import speech_bounds
from voxhub.engines.tts.base import Samples, SynthesisParams, TTSEngine, Voice
from voxhub.errors import EmptyText, SynthesisCancelled, TextTooLong, VoxhubError
from voxhub.services.voices.catalog import VoiceCatalog
from voxhub.services.voices.defaults import apply_defaults
from voxhub.text.language import detect_language, normalize_language_tag
from voxhub.text.runs import language_runs, spoken_runs
from voxhub.text.sentences import split_sentences
from voxhub.timing import SentenceTiming, WordTiming

# the logger a caller listens on for a voice that does not speak the text's language
log = logging.getLogger(__name__)
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
# between two language runs of a sentence: a breath, shorter than a comma's pause
RUN_PAUSE = 0.06
# fade at each run's edges, so joined runs do not click
RUN_FADE = 0.005


@dataclass(frozen=True)
class SynthesisRequest:
    text: str
    voice: str | None = None
    language: str | None = None
    format: str = "wav"
    sample_rate: int | None = None
    params: SynthesisParams = field(default_factory=SynthesisParams)
    # the knobs of `params` the caller set; the voice's defaults fill the others
    # (None: all were set, as in a stored job whose defaults were applied when it was planned)
    given: frozenset[str] | None = None


@dataclass(frozen=True)
class VoiceMismatch:
    """The text is in a language its voice does not speak: it is read by the voice's rules
    (an English voice spells Chinese characters out instead of speaking them)."""

    text_language: str
    voice: str
    voice_languages: tuple[str, ...]
    # a voice that speaks the text's language, when one is at hand
    suggestion: str | None

    def message(self) -> str:
        text = _name(self.text_language)
        spoken = " and ".join(_name(code) for code in self.voice_languages)
        advice = (
            f" For {text} text use a {text} voice, such as {self.suggestion}."
            if self.suggestion
            else ""
        )
        return (
            f"The text is {text}, but voice {self.voice} speaks {spoken} only: "
            f"the text will be read by {spoken} rules, not spoken as {text}.{advice}"
        )


def _name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


@dataclass(frozen=True)
class SynthesisPlan:
    """A validated request: everything needed to synthesize, decided before any audio exists."""

    sentences: tuple[str, ...]
    engine: TTSEngine
    voice: Voice
    language: str
    format: AudioFormat
    sample_rate: int
    params: SynthesisParams
    # set when the voice does not speak the language the text is written in
    mismatch: VoiceMismatch | None = None
    # who speaks the runs of another language that the voice does not speak, by language
    partners: dict[str, tuple[TTSEngine, Voice]] = field(default_factory=dict)

    @property
    def engine_rate(self) -> int:
        return self.engine.capabilities.sample_rate

    @property
    def characters(self) -> int:
        return sum(len(s) for s in self.sentences)


@dataclass(frozen=True)
class SentenceAudio:
    """One synthesized sentence, trimmed of edge silence, with its timings in the whole output."""

    samples: Samples
    timing: SentenceTiming


@dataclass(frozen=True)
class SynthesisResult:
    samples: Samples
    sample_rate: int
    sentences: tuple[SentenceTiming, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def words(self) -> list[WordTiming]:
        return [w for s in self.sentences for w in s.words]


class Synthesizer:
    """Turns text into audio + timings with the engines of one process."""

    def __init__(
        self,
        voices: VoiceCatalog,
        max_chars: int,
        max_sentence_chars: int,
        sentence_pause: float,
        partner_voices: dict[str, str] | None = None,
    ) -> None:
        self._voices = voices
        # the voice that speaks a language's runs when the request's voice does not speak it
        self._partner_voices = partner_voices or {}
        self._max_chars = max_chars
        self._max_sentence_chars = max_sentence_chars
        self._sentence_pause = sentence_pause

    def plan(
        self, request: SynthesisRequest, access: Access = EVERYONE, max_chars: int | None = None
    ) -> SynthesisPlan:
        """Validate everything a request says; raises a VoxhubError naming the first problem.
        `access` decides which registered voices the request may speak with."""
        limit = max_chars or self._max_chars
        text = request.text.strip()
        if not text:
            raise EmptyText("Text is empty; send the text to speak in the `text` field.")
        if len(text) > limit:
            raise TextTooLong(
                f"Text has {len(text)} characters; online synthesis takes at most {limit}. "
                "Submit longer text as a job with POST /v1/tts/jobs (up to 50,000 characters)."
            )
        fmt = parse_format(request.format)
        requested = normalize_language_tag(request.language) if request.language else None
        detected = detect_language(text)
        engine, voice = self._voices.resolve(request.voice, requested or detected, access)
        language = self._voices.language_for(voice, requested, detected)
        sample_rate = request.sample_rate or engine.capabilities.sample_rate
        check_output(fmt, sample_rate)
        # opus only runs at its own rates: report the rate the file will really have
        sample_rate = encoded_rate(fmt, sample_rate)
        sentences = tuple(split_sentences(text, self._max_sentence_chars))
        # a language the caller named is their choice; a detected one the voice lacks is a slip
        mismatch = (
            None
            if requested or detected in voice.languages
            else (
                VoiceMismatch(
                    detected, voice.id, voice.languages, self._voice_for(engine, detected)
                )
            )
        )
        if mismatch is not None:
            log.warning("%s", mismatch.message())
        # a text with runs in another language gets a voice for them; not when the voice is
        # a mismatch for the whole text (the caller was told how it will be read)
        others = {
            run.language for sentence in sentences for run in language_runs(sentence, language)
        } - {language, *voice.languages}
        partners = {} if mismatch else self._partners(engine, others, access)
        return SynthesisPlan(
            sentences=sentences,
            engine=engine,
            voice=voice,
            language=language,
            format=fmt,
            sample_rate=sample_rate,
            params=apply_defaults(request.params, voice.defaults, request.given),
            mismatch=mismatch,
            partners=partners,
        )

    def _partners(
        self, engine: TTSEngine, languages: set[str], access: Access
    ) -> dict[str, tuple[TTSEngine, Voice]]:
        found: dict[str, tuple[TTSEngine, Voice]] = {}
        for language in sorted(languages):
            name = self._partner_voices.get(language) or self._voice_for(engine, language)
            if name is None:
                continue  # nobody speaks it: the run is read by the voice's own rules
            partner_engine, partner = self._voices.resolve(name, language, access)
            if language in partner.languages:
                found[language] = (partner_engine, partner)
        return found

    def _voice_for(self, engine: TTSEngine, language: str) -> str | None:
        """A voice of `language`: the same engine's if it speaks it, else the default's."""
        try:
            return engine.default_voice(language).id
        except VoxhubError:
            pass
        try:
            _, voice = self._voices.resolve(None, language)
        except VoxhubError:  # no enabled engine speaks it: nothing to suggest
            return None
        return voice.id if language in voice.languages else None

    def sentences(
        self, plan: SynthesisPlan, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[SentenceAudio]:
        """Speak the plan one sentence at a time (blocking; run it in a worker thread).

        Each item carries the pause before it, so concatenating the items gives the whole
        audio and their timings are already offset. A sentence that makes no sound (only
        symbols) comes out with no samples; `merge_silent` folds it into a neighbour.
        Checks `cancelled` between sentences.
        """
        rate = plan.engine_rate
        pause = np.zeros(round(self._sentence_pause * rate), dtype=np.float32)
        offset = 0
        for display in plan.sentences:
            if cancelled():
                raise SynthesisCancelled("Synthesis was cancelled by its caller.")
            samples, words = self._speak(plan, display)
            if len(samples) and offset:
                samples = np.concatenate([pause, samples])
                words = [w.shifted(len(pause) / rate) for w in words]
                start = offset + len(pause)
            else:
                start = offset
            timing = SentenceTiming(
                text=display,
                start=start / rate,
                end=(offset + len(samples)) / rate,
                words=tuple(w.shifted(offset / rate) for w in words),
            )
            offset += len(samples)
            yield SentenceAudio(samples, timing)

    def synthesize(
        self, plan: SynthesisPlan, cancelled: Callable[[], bool] = lambda: False
    ) -> SynthesisResult:
        """Speak the whole plan (blocking) and return the audio at the engine's sample rate."""
        parts = list(self.sentences(plan, cancelled))
        samples = np.concatenate([p.samples for p in parts]) if parts else np.zeros(0, np.float32)
        return SynthesisResult(samples, plan.engine_rate, merge_silent([p.timing for p in parts]))

    def _speak(self, plan: SynthesisPlan, display: str) -> tuple[Samples, list[WordTiming]]:
        """One sentence, edge silence trimmed, words relative to its first kept sample.

        Each language run is spoken by a voice of its language (the request's voice when it
        speaks it, else its partner) and the runs are joined with a breath between them.
        """
        rate = plan.engine_rate
        pieces: list[Samples] = []
        words: list[WordTiming] = []
        offset = 0
        gap = np.zeros(round(RUN_PAUSE * rate), dtype=np.float32)
        runs = spoken_runs(display, plan.language)
        for run in runs:
            engine, voice, language = self._speaker(plan, run.language)
            samples, run_words = _speak_run(engine, voice, language, run.text, plan.params)
            samples = resample(samples, engine.capabilities.sample_rate, rate)
            if not len(samples):
                continue
            if len(runs) > 1:
                samples = _faded(samples, rate)
            if pieces:
                pieces.append(gap)
                offset += len(gap)
            words += [w.shifted(offset / rate) for w in run_words]
            pieces.append(samples)
            offset += len(samples)
        joined = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return joined, words

    @staticmethod
    def _speaker(plan: SynthesisPlan, language: str) -> tuple[TTSEngine, Voice, str]:
        if language == plan.language or language in plan.voice.languages:
            return plan.engine, plan.voice, language
        partner = plan.partners.get(language)
        if partner is None:
            return plan.engine, plan.voice, plan.language
        return partner[0], partner[1], language


def _speak_run(
    engine: TTSEngine, voice: Voice, language: str, text: str, params: SynthesisParams
) -> tuple[Samples, list[WordTiming]]:
    """A run of one language (already normalized) at its engine's rate, edge silence trimmed."""
    audio = engine.synthesize(text, voice, language, params)
    first, last = speech_bounds(audio.samples, audio.sample_rate)
    samples = audio.samples[first:last]
    length = len(samples) / audio.sample_rate
    shift = first / audio.sample_rate
    words = [
        WordTiming(w.text, _clamp(w.start - shift, length), _clamp(w.end - shift, length))
        for w in audio.words
    ]
    return samples, words


def _faded(samples: Samples, rate: int) -> Samples:
    """The samples with short linear fades in and out."""
    n = min(round(RUN_FADE * rate), len(samples) // 2)
    if n == 0:
        return samples
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out = samples.astype(np.float32, copy=True)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def _clamp(value: float, upper: float) -> float:
    return min(max(value, 0.0), upper)


def merge_silent(timings: list[SentenceTiming]) -> tuple[SentenceTiming, ...]:
    """Give the text of soundless sentences to the sentence before them (or after, at the start)."""
    merged: list[SentenceTiming] = []
    leading = ""
    for timing in timings:
        if timing.end > timing.start:
            text = f"{leading} {timing.text}".strip() if leading else timing.text
            merged.append(SentenceTiming(text, timing.start, timing.end, timing.words))
            leading = ""
        elif merged:
            last = merged[-1]
            merged[-1] = SentenceTiming(
                f"{last.text} {timing.text}", last.start, last.end, last.words
            )
        else:
            leading = f"{leading} {timing.text}".strip()
    return tuple(merged)
