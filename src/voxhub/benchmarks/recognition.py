"""Recognition measured: whisper on several voices' speech, by file and stream, short and named."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voxhub.audio.resample import resample
from voxhub.benchmarks.recognition_texts import HOTWORDS, SHORT, TEXTS
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate
from voxhub.engines.asr.base import ASREngine, ASRSession, Samples, StreamOptions
from voxhub.errors import UnsupportedLanguage, VoxhubError
from voxhub.services.synthesis import SynthesisRequest, Synthesizer
from voxhub.text.language import HAN_CHARACTER

SAMPLE_RATE = 16_000
# what a streaming client typically sends per message
CHUNK = SAMPLE_RATE // 10
# the pause between utterances of one stream
GAP = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
SOURCES = {
    "zh": ("kokoro:jm_kumo", "kokoro:jf_nezumi", "espeak:cmn"),
    "en": ("kokoro:jm_kumo", "piper:en_US-joe-medium", "espeak:en-us"),
}
# one voice per language for the short phrases and the hotword sentences
SPEAKER = {"zh": "kokoro:jm_kumo", "en": "piper:en_US-joe-medium"}
FULL_WIDTH_ENDS = ("。", "？", "！")
_ASCII_AFTER_HAN = re.compile(f"{HAN_CHARACTER}[,.?!:;]")

Out = Callable[[str], None]


@dataclass(frozen=True)
class Heard:
    """A spoken text and what the file and the stream path made of it."""

    text: str
    file: str
    stream: str


def chunks(samples: Samples, size: int = CHUNK) -> Iterator[Samples]:
    """The samples in consecutive pieces of `size` (the last one may be shorter)."""
    for start in range(0, len(samples), size):
        yield samples[start : start + size]


def error_rate(language: str) -> Callable[[str, str], float]:
    """Characters for Chinese (no word boundaries to count), words for English."""
    return character_error_rate if language == "zh" else word_error_rate


def mean_errors(heard: Sequence[Heard], language: str) -> tuple[float, float]:
    """Mean error rate of the file path and of the stream path."""
    rate = error_rate(language)
    return (
        statistics.mean(rate(h.text, h.file) for h in heard),
        statistics.mean(rate(h.text, h.stream) for h in heard),
    )


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


class Converter(Protocol):
    """OpenCC's traditional → simplified converter, as far as this module uses it."""

    def convert(self, text: str) -> str: ...


def is_simplified(text: str, to_simplified: Converter) -> bool:
    return str(to_simplified.convert(text)) == text


def has_ascii_after_han(text: str) -> bool:
    """An ASCII `,.?!:;` right after a Han character, where Chinese writes ，。？！：；."""
    return _ASCII_AFTER_HAN.search(text) is not None


def ends_full_width(text: str) -> bool:
    return text.rstrip().endswith(FULL_WIDTH_ENDS)


def form(texts: Sequence[str], to_simplified: Converter) -> tuple[float, float, float]:
    """Shares of Chinese transcripts written as Chinese is: in simplified characters only,
    with no ASCII punctuation after a Han character, ending in a full-width mark."""
    return (
        share([is_simplified(t, to_simplified) for t in texts]),
        share([not has_ascii_after_han(t) for t in texts]),
        share([ends_full_width(t) for t in texts]),
    )


def name_heard(name: str, text: str) -> bool:
    """The name written as it is (case aside: "kubernetes" is still the name)."""
    return name.casefold() in text.casefold()


def hotword_scores(
    cases: Sequence[tuple[str, str]], heard: Sequence[str], language: str
) -> tuple[float, float]:
    """Mean error rate of the (sentence, name) cases as heard, and the share naming the name."""
    pairs = list(zip(cases, heard, strict=True))
    rate = error_rate(language)
    return (
        statistics.mean(rate(text, h) for (text, _), h in pairs),
        share([name_heard(name, h) for (_, name), h in pairs]),
    )


def misses(phrases: Sequence[str], detected: Sequence[str], language: str) -> list[str]:
    """Each phrase detected as another language, as phrase→detected ("?" for none)."""
    return [f"{p}→{d or '?'}" for p, d in zip(phrases, detected, strict=True) if d != language]


def percent(value: float) -> str:
    return f"{100 * value:7.1f}%"


class Bench:
    """The loaded synthesizer and recognizer, and each spoken text synthesized once."""

    def __init__(self, synthesizer: Synthesizer, asr: ASREngine, to_simplified: Converter):
        self._synthesizer = synthesizer
        self.asr = asr
        self.to_simplified = to_simplified
        self._spoken: dict[tuple[str, str, str], Samples] = {}

    def speech(self, voice: str, text: str, language: str) -> Samples:
        """16 kHz speech of the text; raises VoxhubError when the voice cannot say it."""
        key = (voice, text, language)
        if key not in self._spoken:
            plan = self._synthesizer.plan(SynthesisRequest(text, voice, language))
            if language not in plan.voice.languages:
                # its partner would speak instead, which is not the voice under test
                raise UnsupportedLanguage(f"{voice} speaks no {language}")
            result = self._synthesizer.synthesize(plan)
            self._spoken[key] = resample(result.samples, result.sample_rate, SAMPLE_RATE)
        return self._spoken[key]

    def missing(self, voice: str, language: str) -> str | None:
        """Why the voice cannot speak the language here; None when it can."""
        try:
            self.speech(voice, TEXTS[language][0], language)
        except VoxhubError as exc:
            return str(exc)
        return None

    def both(self, voice: str, text: str, language: str) -> Heard:
        samples = self.speech(voice, text, language)
        return Heard(text, self.file(samples, language), self.stream(samples, language))

    def file(self, samples: Samples, language: str | None, prompt: str | None = None) -> str:
        return self.asr.transcribe(samples, language, prompt=prompt).text

    def stream(self, samples: Samples, language: str, hotwords: tuple[str, ...] = ()) -> str:
        options = StreamOptions(language=language, partials=False, hotwords=hotwords)
        session = self.asr.open_session(options)
        try:
            _feed(session, samples)
            return session.final().text
        finally:
            session.close()

    def detected_in_stream(self, lead: Samples, phrases: Sequence[Samples]) -> list[str]:
        """Each phrase's language in one auto stream that first heard a longer sentence."""
        session = self.asr.open_session(StreamOptions(language=None, partials=False))
        try:
            _feed(session, lead)
            session.final()
            detected = []
            for phrase in phrases:
                _feed(session, GAP)
                _feed(session, phrase)
                detected.append(session.final().language)
            return detected
        finally:
            session.close()


def _feed(session: ASRSession, samples: Samples) -> None:
    for chunk in chunks(samples):
        session.accept(chunk)


def report(out: Out, synthesizer: Synthesizer, asr: ASREngine) -> None:
    """The tables of every recognition figure, and how long they took."""
    from opencc import OpenCC

    started = time.monotonic()
    bench = Bench(synthesizer, asr, OpenCC("t2s"))
    for language in ("zh", "en"):
        _voices_table(out, bench, language)
    _short_table(out, bench)
    _hotwords_table(out, bench)
    out(f"\nrecognition part: {time.monotonic() - started:.0f} s wall")


def _voices_table(out: Out, bench: Bench, language: str) -> None:
    header = f"{'voice':<28}{'file':>8}{'stream':>8}"
    note = ""
    if language == "zh":
        header += f"{'simpl':>8}{'punct':>8}{'end':>8}"
        note = (
            "; form of both paths' outputs, higher is better: share in simplified characters "
            "only, with no ASCII ,.?!:; after a Han character, ending in 。？！"
        )
    out(
        f"\nwhisper on {len(TEXTS[language])} {language} sentences per source voice: mean "
        f"{'CER' if language == 'zh' else 'WER'}, file path vs stream path (100 ms chunks), "
        f"lower is better{note}"
    )
    out(header)
    every: list[Heard] = []
    for voice in SOURCES[language]:
        reason = bench.missing(voice, language)
        if reason is not None:
            out(f"{voice:<28} skipped: {reason}")
            continue
        heard = [bench.both(voice, text, language) for text in TEXTS[language]]
        every += heard
        out(f"{voice:<28}{_row(bench, heard, language)}")
    if every:
        out(f"{'all':<28}{_row(bench, every, language)}")


def _row(bench: Bench, heard: Sequence[Heard], language: str) -> str:
    cells = [percent(rate) for rate in mean_errors(heard, language)]
    if language == "zh":
        texts = [t for h in heard for t in (h.file, h.stream)]
        cells += [percent(x) for x in form(texts, bench.to_simplified)]
    return "".join(cells)


def _short_table(out: Out, bench: Bench) -> None:
    out(
        f"\nlanguage detection (auto) on short phrases, {len(SHORT['zh'])} per language spoken "
        "by " + " / ".join(SPEAKER.values()) + ": share detected right alone (file path) and "
        "in one stream after a longer sentence; misses as phrase→detected"
    )
    out(f"{'language':<10}{'alone':>8}{'stream':>8}  misses")
    for language, phrases in SHORT.items():
        spoken = _spoken_by_speaker(out, bench, language, phrases)
        if spoken is None:
            continue
        alone = [bench.asr.transcribe(samples, None).language for samples in spoken]
        lead = bench.speech(SPEAKER[language], TEXTS[language][0], language)
        streamed = bench.detected_in_stream(lead, spoken)
        cells = "".join(percent(share([d == language for d in ds])) for ds in (alone, streamed))
        wrong = misses(phrases, alone, language)
        wrong += [f"stream {miss}" for miss in misses(phrases, streamed, language)]
        out(f"{language:<10}{cells}  {', '.join(wrong) or 'none'}")


def _spoken_by_speaker(
    out: Out, bench: Bench, language: str, texts: Sequence[str]
) -> list[Samples] | None:
    """The texts spoken by the language's one voice, or None (said) when it is not here."""
    voice = SPEAKER[language]
    reason = bench.missing(voice, language)
    if reason is not None:
        out(f"{language:<10} skipped {voice}: {reason}")
        return None
    return [bench.speech(voice, text, language) for text in texts]


def _hotwords_table(out: Out, bench: Bench) -> None:
    out(
        "\nhotwords: sentences with a rare name, every name of the language given (file: "
        "prompt, stream: hotwords); error rate of the sentence (CER zh, WER en) and share "
        "with the name verbatim (case aside), without / with hotwords"
    )
    out(f"{'language':<10}{'path':<8}{'error':>8}{'+hw':>8}{'name':>8}{'+hw':>8}")
    for language, cases in HOTWORDS.items():
        spoken = _spoken_by_speaker(out, bench, language, [text for text, _ in cases])
        if spoken is None:
            continue
        names = tuple(name for _, name in cases)
        for path in ("file", "stream"):
            plain, primed = (
                hotword_scores(
                    cases, [_hear(bench, path, s, language, hw) for s in spoken], language
                )
                for hw in ((), names)
            )
            cells = (percent(x) for x in (plain[0], primed[0], plain[1], primed[1]))
            out(f"{language:<10}{path:<8}{''.join(cells)}")


def _hear(bench: Bench, path: str, samples: Samples, language: str, names: tuple[str, ...]) -> str:
    if path == "file":
        return bench.file(samples, language, ", ".join(names) or None)
    return bench.stream(samples, language, names)
