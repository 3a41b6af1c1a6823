"""Speech people understand: each shipped voice's speech recognized back by whisper (CER for
Chinese, WER for English), and English inside Chinese text scored against English alone."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from voxhub.audio.resample import resample
from voxhub.container import Container
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate
from voxhub.engines.asr.base import ASREngine
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.pool import ASREnginePool
from voxhub.errors import UnsupportedLanguage, VoxhubError
from voxhub.services.synthesis import SynthesisRequest, SynthesisResult, Synthesizer
from voxhub.settings import EngineSettings, Settings

# texts no test uses, without numbers (normalization is measured on its own)
CHINESE = (
    "春天来了，公园里的花都开了，孩子们在草地上放风筝。",
    "请把桌子上的文件整理好，然后交给办公室的王老师。",
    "这家餐厅的面条很有名，每天中午都有很多人排队。",
    "他一边听音乐一边看书，完全没有注意到外面下雨了。",
    "我们明天早上出发去海边，记得带上帽子和防晒霜。",
)
ENGLISH = (
    "The library closes early on weekends, so plan your visit in the morning.",
    "She carried the heavy boxes up the stairs without asking anyone for help.",
    "Fresh bread from the corner bakery is the best part of my day.",
    "Our neighbors painted their fence bright yellow during the summer holiday.",
    "Please remind me to water the plants before we leave for the airport.",
)
# English sentences inside Chinese text, each scored against the same sentence alone
MIXED = (
    ("会议马上开始。", ENGLISH[0], "大家请安静。"),
    ("他笑着对我们说了一句话。", ENGLISH[2], "我们都同意。"),
    ("请大家注意。", ENGLISH[4], "谢谢合作。"),
)
SAMPLE_RATE = 16_000


def run(out: Callable[[str], None] = print, voices: Sequence[str] = ()) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            engines=EngineSettings(enabled=["kokoro", "espeak", "piper"], preload=[]),
        )
        container = Container.build(settings)
        synthesizer = container.synthesizer
        asr = ASREnginePool(ASROptions(cache_dir=data_dir), ["whisper"]).get("whisper")
        names = list(voices) or [v.id for v in container.voices.all() if _speaks(v.languages)]
        out(
            f"round trip through whisper-base (file route): {len(CHINESE)} Chinese and "
            f"{len(ENGLISH)} English texts per voice; mean CER (zh) / WER (en), lower is better"
        )
        out(f"{'voice':<36}{'zh CER':>9}{'en WER':>9}")
        for name in names:
            cells = []
            for language, texts, score in (
                ("zh", CHINESE, character_error_rate),
                ("en", ENGLISH, word_error_rate),
            ):
                rates = _round_trip(synthesizer, asr, name, language, texts, score)
                cells.append(f"{100 * statistics.mean(rates):8.1f}%" if rates else f"{'—':>9}")
            out(f"{name:<36}{''.join(cells)}")
        out(
            "\nEnglish sentences inside Chinese text, spoken by a Chinese voice (and its "
            "partner for English when it has no English): WER of the English part vs alone"
        )
        for name in names:
            try:
                inside, alone = _mixed(synthesizer, asr, name)
            except VoxhubError:
                continue
            out(f"{name:<36} inside {100 * inside:5.1f}%  alone {100 * alone:5.1f}%")


def _speaks(languages: Sequence[str]) -> bool:
    return bool({"zh", "en"} & set(languages))


def _round_trip(
    synthesizer: Synthesizer,
    asr: ASREngine,
    voice: str,
    language: str,
    texts: Sequence[str],
    score: Callable[[str, str], float],
) -> list[float]:
    rates = []
    for text in texts:
        try:
            plan = synthesizer.plan(SynthesisRequest(text, voice, language))
        except VoxhubError:
            return []
        if language not in plan.voice.languages:
            return []
        result = synthesizer.synthesize(plan)
        rates.append(score(text, _heard(asr, result, 0.0, result.duration, language)))
    return rates


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


def _heard(asr: ASREngine, result: SynthesisResult, start: float, end: float, language: str) -> str:
    rate = result.sample_rate
    samples = result.samples[round(start * rate) : round(end * rate)]
    return asr.transcribe(resample(samples, rate, SAMPLE_RATE), language).text
