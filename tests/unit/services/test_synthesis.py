"""The synthesis use-case: validation, sentence timings, silence merging, cancellation."""

from __future__ import annotations

import itertools
import logging

import pytest

from voxhub.container import Container
from voxhub.errors import SynthesisCancelled
from voxhub.services.synthesis import SynthesisRequest, VoiceMismatch, merge_silent
from voxhub.timing import SentenceTiming


def test_soundless_sentences_join_a_neighbour() -> None:
    timings = [
        SentenceTiming("!!!", 0.0, 0.0),
        SentenceTiming("Hello.", 0.0, 1.0),
        SentenceTiming("World.", 1.2, 2.0),
        SentenceTiming("……", 2.0, 2.0),
    ]
    merged = merge_silent(timings)
    assert [t.text for t in merged] == ["!!! Hello.", "World. ……"]
    assert [(t.start, t.end) for t in merged] == [(0.0, 1.0), (1.2, 2.0)]


def test_plan_resolves_voice_and_language(container: Container) -> None:
    # bare names are looked up among registered voices first
    container.migrate_embedded()
    synthesizer = container.synthesizer
    plan = synthesizer.plan(SynthesisRequest(text="你好，世界。", voice="cmn"))
    assert plan.voice.id == "espeak:cmn" and plan.language == "zh"
    plan = synthesizer.plan(SynthesisRequest(text="Hello there.", language="en-US"))
    assert plan.voice.id == "kokoro:jm_kumo" and plan.language == "en"
    plan = synthesizer.plan(SynthesisRequest(text="你好。", format="mp3", sample_rate=16000))
    assert plan.format.extension == "mp3" and plan.sample_rate == 16000


def test_sentence_timings_come_from_audio_lengths(container: Container) -> None:
    synthesizer = container.synthesizer
    plan = synthesizer.plan(
        SynthesisRequest(text="First one here. Second one there! Third?", voice="espeak:en-us")
    )
    items = list(synthesizer.sentences(plan))
    assert [i.timing.text for i in items] == ["First one here.", "Second one there!", "Third?"]
    rate = plan.engine_rate
    total = 0
    for item in items:
        total += len(item.samples)
        assert abs(item.timing.end - total / rate) < 1e-9
    for earlier, later in itertools.pairwise(items):
        # the pause between sentences is silence outside both sentences
        assert later.timing.start - earlier.timing.end == pytest.approx(0.25, abs=1e-3)
    whole = synthesizer.synthesize(plan)
    # espeak's output length varies by a few samples between calls
    assert abs(len(whole.samples) - total) < 0.005 * total
    assert whole.sentences[-1].end == pytest.approx(len(whole.samples) / rate)


def test_cancel_stops_between_sentences(container: Container) -> None:
    synthesizer = container.synthesizer
    plan = synthesizer.plan(SynthesisRequest(text="One. Two. Three. Four.", voice="fake:a"))
    fake = container.engines.get("fake")
    before = fake.calls  # type: ignore[attr-defined]
    spoken = 0

    def cancelled() -> bool:
        return spoken >= 2

    with pytest.raises(SynthesisCancelled):
        for _ in synthesizer.sentences(plan, cancelled):
            spoken += 1
    assert fake.calls - before == 2  # type: ignore[attr-defined]


def test_a_voice_that_does_not_speak_the_texts_language_is_reported(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    synthesizer = container.synthesizer
    chinese = "第一章 清晨的车站\n清晨六点，车站里人很少。"
    with caplog.at_level(logging.WARNING, logger="voxhub.services.synthesis"):
        plan = synthesizer.plan(SynthesisRequest(text=chinese, voice="espeak:en-us"))
    assert plan.language == "en"
    assert plan.mismatch == VoiceMismatch("zh", "espeak:en-us", ("en",), "espeak:cmn")
    message = plan.mismatch.message()
    assert "The text is Chinese, but voice espeak:en-us speaks English only" in message
    assert "such as espeak:cmn" in message
    assert [r.getMessage() for r in caplog.records] == [message]
    caplog.clear()
    # no voice named: the text's language picks it; a language the caller named is theirs
    chosen = synthesizer.plan(SynthesisRequest(text=chinese))
    assert "zh" in chosen.voice.languages and chosen.mismatch is None
    named = synthesizer.plan(SynthesisRequest(text=chinese, voice="espeak:en-us", language="en"))
    assert named.mismatch is None
    english = synthesizer.plan(SynthesisRequest(text="Good morning.", voice="espeak:en-us"))
    assert english.mismatch is None
    assert caplog.records == []


def test_mixed_text_speaks_each_run_with_a_voice_of_its_language(container: Container) -> None:
    synthesizer = container.synthesizer
    text = "我们今天用Python写代码。The meeting starts at nine. 然后一起吃饭。"
    plan = synthesizer.plan(SynthesisRequest(text=text, voice="espeak:cmn"))
    # espeak's Mandarin voice speaks no English: its partner is espeak's English voice
    assert plan.language == "zh" and plan.partners["en"][1].id == "espeak:en-us"
    result = synthesizer.synthesize(plan)
    sentences = result.sentences
    # one timing per sentence, in order, covering every character once
    assert "".join(s.text for s in sentences).replace(" ", "") == text.replace(" ", "")
    for earlier, later in itertools.pairwise(sentences):
        assert earlier.end <= later.start
    assert sentences[-1].end == pytest.approx(result.duration)
    words = result.words
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    # the English run inside the first sentence is spoken, not spelled by Mandarin rules:
    # espeak's English voice names its words
    first = [w.text.lower() for w in sentences[0].words]
    assert any("python" in w for w in first), first


def test_a_partner_voice_can_be_configured(container: Container) -> None:
    from voxhub.services.synthesis import Synthesizer

    synthesizer = Synthesizer(
        container.voices,
        max_chars=300,
        max_sentence_chars=120,
        sentence_pause=0.25,
        partner_voices={"en": "espeak:en-gb"},
    )
    plan = synthesizer.plan(SynthesisRequest(text="我喜欢Python。", voice="espeak:cmn"))
    assert plan.partners["en"][1].id == "espeak:en-gb"
    # a voice that speaks both languages needs no partner
    both = synthesizer.plan(SynthesisRequest(text="我喜欢Python。", voice="kokoro:jm_kumo"))
    assert both.partners == {}
