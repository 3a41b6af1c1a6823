"""Mixed Chinese/English speech, heard back: the English inside Chinese text is English."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from voxhub.audio.resample import resample
from voxhub.container import Container
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.whisper.engine import WhisperEngine
from voxhub.engines.tts.base import Samples
from voxhub.services.synthesis import SynthesisRequest

pytestmark = pytest.mark.kokoro

ENGLISH = "Please send the final report to the whole team before Friday."
BEFORE, AFTER = "我们今天开会讨论新的计划。", "然后大家一起去吃饭。"
TEXT = f"{BEFORE}{ENGLISH}{AFTER}"


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> WhisperEngine:
    cache: Path = tmp_path_factory.mktemp("models")
    return WhisperEngine.load(ASROptions(cache_dir=str(cache)))


def test_an_english_sentence_in_chinese_text_is_heard_as_english(
    container: Container, whisper: WhisperEngine
) -> None:
    synthesizer = container.synthesizer
    mixed = synthesizer.synthesize(synthesizer.plan(SynthesisRequest(TEXT, "kokoro:jm_kumo")))
    alone = synthesizer.synthesize(synthesizer.plan(SynthesisRequest(ENGLISH, "kokoro:jm_kumo")))
    # cues in order, every character once
    assert [s.text for s in mixed.sentences] == [BEFORE, ENGLISH, AFTER]
    for earlier, later in itertools.pairwise(mixed.sentences):
        assert earlier.end <= later.start

    def heard(samples: Samples, rate: int) -> float:
        text = whisper.transcribe(resample(samples, rate, 16_000), "en").text
        return word_error_rate(ENGLISH, text)

    english = mixed.sentences[1]
    rate = mixed.sample_rate
    inside = heard(mixed.samples[round(english.start * rate) : round(english.end * rate)], rate)
    # within the bar of English alone: at most 4 % words wrong, 3 points above English alone
    assert inside <= 0.04 and inside <= heard(alone.samples, alone.sample_rate) + 0.03
