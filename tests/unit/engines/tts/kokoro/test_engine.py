"""The kokoro engine speaks Mandarin and English with word timings."""

from __future__ import annotations

import numpy as np
import pytest

from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams, TTSEngine
from voxhub.errors import UnsupportedLanguage, VoiceNotFound

pytestmark = pytest.mark.kokoro


@pytest.fixture(scope="module")
def kokoro(engine_pool: EnginePool) -> TTSEngine:
    return engine_pool.get("kokoro")


def _check_words(engine: TTSEngine, text: str, language: str, expected: list[str]) -> float:
    audio = engine.synthesize(text, engine.default_voice(language), language, SynthesisParams())
    assert audio.sample_rate == 24000
    assert audio.samples.dtype == np.float32
    assert float(np.abs(audio.samples).max()) > 0.05
    assert [w.text for w in audio.words] == expected
    for earlier, later in zip(audio.words, audio.words[1:], strict=False):
        assert earlier.start <= earlier.end <= later.start + 1e-6
    assert audio.words[-1].end <= audio.duration + 1e-6
    return audio.duration


def test_mandarin_words_and_timings(kokoro: TTSEngine) -> None:
    duration = _check_words(
        kokoro,
        "今天天气很好，我们去北京吃烤鸭吧！",
        "zh",
        ["今天天气", "很", "好", "我们", "去", "北京", "吃", "烤鸭", "吧"],
    )
    assert 1.5 < duration < 6


def test_english_words_and_timings(kokoro: TTSEngine) -> None:
    duration = _check_words(
        kokoro,
        "Hello world, this is a test of the speech system.",
        "en",
        ["Hello", "world", "this", "is", "a", "test", "of", "the", "speech", "system"],
    )
    assert 1.5 < duration < 6


def test_speed_shortens_audio(kokoro: TTSEngine) -> None:
    voice = kokoro.default_voice("en")
    text = "The quick brown fox jumps over the lazy dog."
    normal = kokoro.synthesize(text, voice, "en", SynthesisParams(speed=1.0)).duration
    fast = kokoro.synthesize(text, voice, "en", SynthesisParams(speed=1.6)).duration
    assert fast < normal * 0.8


def test_sentence_over_the_token_window_is_batched(kokoro: TTSEngine) -> None:
    text = "，".join(["我们今天一起去公园散步看花听鸟叫"] * 12)  # far more than 510 phonemes
    audio = kokoro.synthesize(text, kokoro.default_voice("zh"), "zh", SynthesisParams())
    assert audio.duration > 20
    starts = [w.start for w in audio.words]
    assert starts == sorted(starts) and audio.words[-1].end <= audio.duration + 1e-6


def test_voices_and_defaults(kokoro: TTSEngine) -> None:
    ids = {v.id for v in kokoro.voices()}
    assert {"kokoro:jm_kumo", "kokoro:jf_alpha"} <= ids
    assert kokoro.default_voice("zh").id == "kokoro:jm_kumo"
    assert kokoro.capabilities.word_timings and not kokoro.capabilities.cloning
    with pytest.raises(UnsupportedLanguage):
        kokoro.default_voice("fr")


def test_a_blend_of_styles_is_a_voice(kokoro: TTSEngine) -> None:
    blend = kokoro.find_voice("kokoro:jf_alpha*1+jm_kumo*3")
    # weights are normalized and the heaviest style comes first
    assert blend is not None and blend.id == "kokoro:jm_kumo*0.75+jf_alpha*0.25"
    assert blend.languages == ("zh", "en")
    text, params = "今天天气很好。", SynthesisParams()
    mixed = kokoro.synthesize(text, blend, "zh", params).samples
    styles = [kokoro.find_voice(name) for name in ("jm_kumo", "jf_alpha")]
    pure = [kokoro.synthesize(text, v, "zh", params).samples for v in styles if v is not None]
    assert len(pure) == 2
    # a voice of its own: neither of the styles it mixes
    for samples in pure:
        assert len(samples) != len(mixed) or not np.allclose(samples, mixed)
    with pytest.raises(VoiceNotFound, match="no speaker style af_bella"):
        kokoro.find_voice("kokoro:af_bella+jm_kumo")
    with pytest.raises(VoiceNotFound, match="positive weights"):
        kokoro.find_voice("kokoro:jm_kumo*0+jf_alpha")
