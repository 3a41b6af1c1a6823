"""The pocketsphinx engine on English speech from kokoro: accuracy, incremental partials."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.support.asr_speech import ENGLISH, ENGLISH_VOICE, RATE, chunks, utterance
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.asr.base import ASREngine, ASRSession, StreamOptions
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.pocketsphinx import PocketsphinxEngine, clean_word
from voxhub.engines.pool import EnginePool
from voxhub.errors import InvalidInput, UnsupportedLanguage

pytestmark = pytest.mark.kokoro


@pytest.fixture(scope="module")
def engine() -> PocketsphinxEngine:
    return PocketsphinxEngine.load(ASROptions())


@pytest.fixture(scope="module")
def english(engine_pool: EnginePool) -> np.ndarray:
    return utterance(engine_pool, ENGLISH[:3], "en", ENGLISH_VOICE)


def test_file_transcription_is_accurate(engine: PocketsphinxEngine, english: np.ndarray) -> None:
    transcript = engine.transcribe(english, "en")
    assert word_error_rate(" ".join(ENGLISH[:3]), transcript.text) <= 0.20, transcript.text
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(len(english) / RATE)
    # the VAD splits it at the pauses between sentences
    assert len(transcript.segments) >= 2
    words = transcript.words
    assert all(0 <= w.start < w.end <= transcript.duration for w in words)
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(words))


def test_partials_grow_in_200_ms_steps_before_the_final(
    engine: PocketsphinxEngine, english: np.ndarray
) -> None:
    session = engine.open_session(StreamOptions(language="en"))
    assert isinstance(session, ASRSession) and isinstance(engine, ASREngine)
    partials = []
    for piece in chunks(english, 0.2):
        session.accept(piece)
        partials.append(session.partial())
    final = session.final()
    heard = [len(p.split()) for p in partials]
    halfway = heard[len(heard) // 2]
    assert 0 < halfway < heard[-1], partials
    assert word_error_rate(" ".join(ENGLISH[:3]), final.text) <= 0.20, final.text
    # fillers and alternate pronunciations never reach the text
    assert not any(t.startswith(("<", "[")) or "(" in t for t in final.text.split())
    words = final.words
    assert words and words[0].start >= 0 and words[-1].end <= final.duration + 0.01
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    session.close()


def test_reset_drops_the_utterance_and_the_session_goes_on(
    engine: PocketsphinxEngine, engine_pool: EnginePool
) -> None:
    dropped = utterance(engine_pool, [ENGLISH[2]], "en", ENGLISH_VOICE)
    kept = utterance(engine_pool, [ENGLISH[3]], "en", ENGLISH_VOICE)
    session = engine.open_session(StreamOptions())
    session.accept(dropped)
    assert "coffee" in session.partial()
    session.reset()
    assert session.partial() == ""
    session.accept(kept)
    final = session.final()
    assert word_error_rate(ENGLISH[3], final.text) <= 0.20, final.text
    assert "coffee" not in final.text
    assert final.duration == pytest.approx(len(kept) / RATE)
    # the next utterance starts from nothing
    assert session.final().text == "" and session.final().segments == ()
    session.close()
    session.close()
    with pytest.raises(InvalidInput, match="closed"):
        session.accept(kept)


def test_closed_sessions_hand_their_decoder_to_the_next(engine: PocketsphinxEngine) -> None:
    first = engine.open_session(StreamOptions())
    decoder = first._decoder
    first.close()
    second = engine.open_session(StreamOptions())
    assert second._decoder is decoder
    second.close()


def test_english_only_and_no_hotwords(engine: PocketsphinxEngine) -> None:
    assert engine.capabilities.languages == frozenset({"en"})
    assert engine.capabilities.incremental and not engine.capabilities.hotwords
    with pytest.raises(UnsupportedLanguage, match="recognizes: en"):
        engine.open_session(StreamOptions(language="zh"))
    with pytest.raises(InvalidInput, match="hotwords"):
        engine.open_session(StreamOptions(hotwords=("voxhub",)))
    # one language only: "auto" means English
    engine.open_session(StreamOptions(language="auto")).close()


def test_filler_tokens_are_dropped() -> None:
    assert [clean_word(t) for t in ("<s>", "<sil>", "[NOISE]", "</s>", "read(2)", "dog")] == [
        "",
        "",
        "",
        "",
        "read",
        "dog",
    ]
