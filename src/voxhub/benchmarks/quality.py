"""Speech people understand: each shipped voice's speech recognized back by whisper (CER for
Chinese, WER for English), and English inside Chinese text scored against English alone; also
text normalization per category and the recognizer itself (see their modules)."""

from __future__ import annotations

import re
import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from voxhub.audio.resample import resample
from voxhub.benchmarks import normalization, recognition
from voxhub.benchmarks.quality_texts import CHINESE, ENGLISH, MIXED, WORD_MIXED
from voxhub.benchmarks.syllables import syllable_error_rate
from voxhub.container import Container
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate
from voxhub.engines.asr.base import ASREngine
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.pool import ASREnginePool
from voxhub.errors import UnsupportedLanguage, VoxhubError
from voxhub.services.synthesis import SynthesisRequest, SynthesisResult, Synthesizer
from voxhub.settings import EngineSettings, Settings
from voxhub.text.language import HAN_CHARACTER

SAMPLE_RATE = 16_000
HAN = re.compile(HAN_CHARACTER)
LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


PARTS = ("voices", "mixed", "normalization", "recognition")
# the parts that speak and recognize; normalization is text only
SPEECH_PARTS = frozenset({"voices", "mixed", "recognition"})


def run(
    out: Callable[[str], None] = print, voices: Sequence[str] = (), parts: Sequence[str] = PARTS
) -> None:
    if "normalization" in parts:
        normalization.report(out)
    if not SPEECH_PARTS & set(parts):
        return
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            engines=EngineSettings(enabled=["kokoro", "espeak", "piper"], preload=[]),
        )
        container = Container.build(settings)
        synthesizer = container.synthesizer
        asr = ASREnginePool(ASROptions(cache_dir=data_dir), ["whisper"]).get("whisper")
        names = list(voices) or [v.id for v in container.voices.all() if _speaks(v.languages)]
        if "voices" in parts:
            _voices_table(out, synthesizer, asr, names)
        if "mixed" in parts:
            _mixed_tables(out, synthesizer, asr, names)
        if "recognition" in parts:
            recognition.report(out, synthesizer, asr)


def _voices_table(
    out: Callable[[str], None], synthesizer: Synthesizer, asr: ASREngine, names: Sequence[str]
) -> None:
    out(
        f"round trip through whisper-base (file route): {len(CHINESE)} Chinese and "
        f"{len(ENGLISH)} English texts per voice, mean error rates, lower is better; "
        "zh syllables: toneless pinyin, so a homophone the recognizer chose is no error"
    )
    out(f"{'voice':<40}{'zh CER':>9}{'zh syll':>9}{'en WER':>9}")
    for name in names:
        chinese = _round_trip(synthesizer, asr, name, "zh", CHINESE)
        english = _round_trip(synthesizer, asr, name, "en", ENGLISH)
        cells = [
            _mean_cell(chinese, character_error_rate),
            _mean_cell(chinese, syllable_error_rate),
            _mean_cell(english, word_error_rate),
        ]
        out(f"{name:<40}{''.join(cells)}")


def _mean_cell(heard: Sequence[tuple[str, str]], score: Callable[[str, str], float]) -> str:
    if not heard:
        return f"{'—':>9}"
    return f"{100 * statistics.mean(score(text, h) for text, h in heard):8.1f}%"


def _mixed_tables(
    out: Callable[[str], None], synthesizer: Synthesizer, asr: ASREngine, names: Sequence[str]
) -> None:
    out(
        "\nEnglish sentences inside Chinese text, spoken by a Chinese voice (and its "
        "partner for English when it has no English): WER of the English part vs alone"
    )
    for name in names:
        try:
            inside, alone = _mixed(synthesizer, asr, name)
        except VoxhubError:
            continue
        out(f"{name:<40} inside {100 * inside:5.1f}%  alone {100 * alone:5.1f}%")
    out(
        "\nEnglish names inside Chinese clauses (whole sentence recognized as Chinese): "
        "CER of the Chinese characters, WER of the English words"
    )
    for name in names:
        portions = _word_mixed(synthesizer, asr, name)
        if portions is not None:
            out(f"{name:<40} zh {100 * portions[0]:5.1f}%  en {100 * portions[1]:5.1f}%")


def _speaks(languages: Sequence[str]) -> bool:
    return bool({"zh", "en"} & set(languages))


def _round_trip(
    synthesizer: Synthesizer, asr: ASREngine, voice: str, language: str, texts: Sequence[str]
) -> list[tuple[str, str]]:
    """Each text with what the recognizer heard; empty when the voice does not speak it."""
    heard = []
    for text in texts:
        try:
            plan = synthesizer.plan(SynthesisRequest(text, voice, language))
        except VoxhubError:
            return []
        if language not in plan.voice.languages:
            return []
        result = synthesizer.synthesize(plan)
        heard.append((text, _heard(asr, result, 0.0, result.duration, language)))
    return heard


def _mixed(synthesizer: Synthesizer, asr: ASREngine, voice: str) -> tuple[float, float]:
    """Raises VoxhubError for a voice that speaks no Chinese."""
    inside, alone = [], []
    for before, english, after in MIXED:
        plan = synthesizer.plan(SynthesisRequest(f"{before}{english}{after}", voice))
        if "zh" not in plan.voice.languages:
            raise UnsupportedLanguage(f"{voice} speaks no Chinese.")
        mixed = synthesizer.synthesize(plan)
        part = next(s for s in mixed.sentences if s.text.strip() == english)
        inside.append(word_error_rate(english, _heard(asr, mixed, part.start, part.end, "en")))
        # alone, the English is spoken by whoever spoke it inside the Chinese text
        speaker = plan.voice if "en" in plan.voice.languages else plan.partners["en"][1]
        single = synthesizer.synthesize(synthesizer.plan(SynthesisRequest(english, speaker.id)))
        alone.append(word_error_rate(english, _heard(asr, single, 0.0, single.duration, "en")))
    return statistics.mean(inside), statistics.mean(alone)


def _word_mixed(synthesizer: Synthesizer, asr: ASREngine, voice: str) -> tuple[float, float] | None:
    """Mean CER of the Han characters and WER of the Latin words; None without Chinese."""
    chinese, english = [], []
    for text in WORD_MIXED:
        plan = synthesizer.plan(SynthesisRequest(text, voice))
        if "zh" not in plan.voice.languages:
            return None
        result = synthesizer.synthesize(plan)
        heard = _heard(asr, result, 0.0, result.duration, "zh")
        chinese.append(character_error_rate(_han(text), _han(heard)))
        english.append(word_error_rate(_latin(text), _latin(heard)))
    return statistics.mean(chinese), statistics.mean(english)


def _han(text: str) -> str:
    return "".join(HAN.findall(text))


def _latin(text: str) -> str:
    return " ".join(LATIN_WORD.findall(text))


def _heard(asr: ASREngine, result: SynthesisResult, start: float, end: float, language: str) -> str:
    rate = result.sample_rate
    samples = result.samples[round(start * rate) : round(end * rate)]
    return asr.transcribe(resample(samples, rate, SAMPLE_RATE), language).text
