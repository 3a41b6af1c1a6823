"""The whisper engine on kokoro speech: accuracy in English and Chinese, streaming sessions."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from tests.support.asr_speech import (
    CHINESE,
    CHINESE_VOICE,
    ENGLISH,
    ENGLISH_VOICE,
    RATE,
    chunks,
    utterance,
)
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate
from voxhub.engines.asr.base import ASREngine, ASRSession, StreamOptions, Transcript
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.vad import VadConfig
from voxhub.engines.asr.whisper.engine import WhisperEngine
from voxhub.engines.pool import EnginePool
from voxhub.errors import UnsupportedLanguage

pytestmark = pytest.mark.kokoro


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> WhisperEngine:
    cache: Path = tmp_path_factory.mktemp("models")
    return WhisperEngine.load(ASROptions(cache_dir=str(cache)))


def _ordered_inside(transcript: Transcript) -> None:
    words = transcript.words
    assert words
    assert all(0 <= w.start <= w.end <= transcript.duration + 1e-6 for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))


def test_english_file(engine: WhisperEngine, engine_pool: EnginePool) -> None:
    audio = utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE)
    transcript = engine.transcribe(audio, "en")
    assert word_error_rate(" ".join(ENGLISH[:2]), transcript.text) <= 0.20, transcript.text
    assert transcript.language == "en"
    _ordered_inside(transcript)


def test_chinese_file_detected_and_simplified(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    audio = utterance(engine_pool, CHINESE, "zh", CHINESE_VOICE)
    transcript = engine.transcribe(audio, "auto", word_timestamps=False)
    assert transcript.language == "zh"
    assert character_error_rate("".join(CHINESE), transcript.text) <= 0.25, transcript.text
    # simplified characters, no spaces between them
    assert " " not in transcript.text
    assert not set("們氣這個時請") & set(transcript.text), transcript.text
    assert transcript.words == []


def test_long_utterance_partials_grow_before_the_final(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    audio = utterance(engine_pool, ENGLISH, "en", ENGLISH_VOICE)
    assert len(audio) >= 8 * RATE
    session = engine.open_session(StreamOptions(language="en"))
    partials = []
    for i, piece in enumerate(chunks(audio, 0.5), 1):
        session.accept(piece)
        if i % 4 == 0:
            partials.append(session.partial())
    # decoded segments left memory: only what the last decodes still need is held
    assert session.held_seconds < session.audio_seconds / 2
    final = session.final()
    counts = [len(p.split()) for p in partials]
    assert counts[0] > 0 and counts[-1] > 2 * counts[0], partials
    # finished segments are decoded once and kept: later partials extend earlier ones
    assert partials[-1].startswith(partials[1].split(".")[0])
    assert word_error_rate(" ".join(ENGLISH), final.text) <= 0.20, final.text
    assert final.duration == pytest.approx(len(audio) / RATE)
    assert len(final.segments) >= 2
    _ordered_inside(final)
    assert session.audio_seconds == 0.0


def test_reset_then_a_new_utterance(engine: WhisperEngine, engine_pool: EnginePool) -> None:
    dropped = utterance(engine_pool, [ENGLISH[2]], "en", ENGLISH_VOICE)
    kept = utterance(engine_pool, [ENGLISH[1]], "en", ENGLISH_VOICE)
    session = engine.open_session(StreamOptions(language="en", hotwords=("voxhub",)))
    session.accept(dropped[: len(dropped) // 2])
    session.reset()
    session.accept(kept)
    final = session.final()
    assert word_error_rate(ENGLISH[1], final.text) <= 0.20, final.text
    assert "coffee" not in final.text.lower()
    assert final.duration == pytest.approx(len(kept) / RATE)
    _ordered_inside(final)
    silent = session.final()
    assert silent.text == "" and silent.segments == ()
    session.close()


def test_cost_estimates_and_capabilities(engine: WhisperEngine) -> None:
    # by now every kind of decode ran: the estimates are learned, and grow with the audio
    assert engine.partial_cost.estimate(20.0) >= engine.partial_cost.estimate(1.0) > 0
    session = engine.open_session(StreamOptions(language="auto"))
    assert session.partial_cost() == 0.0 and session.partial() == ""
    session.accept(np.zeros(RATE, dtype=np.float32))
    assert session.partial_cost() == 0.0
    session.close()
    assert engine.capabilities.languages == frozenset({"zh", "en", "auto"})
    with pytest.raises(UnsupportedLanguage, match="recognizes: auto, en, zh"):
        engine.open_session(StreamOptions(language="fr"))


def test_sessions_decode_concurrently_and_report_finished_segments(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    texts = [ENGLISH[0], ENGLISH[3]]
    recordings = [utterance(engine_pool, [t], "en", ENGLISH_VOICE, edge=1.0) for t in texts]

    def recognize(audio: np.ndarray) -> str:
        session = engine.open_session(StreamOptions(language="en"))
        assert isinstance(session, ASRSession)
        session.accept(audio)
        # the trailing second of silence closed the segment: decoded as it closed, not at final
        finished = session.decode_finished()
        assert len(finished) == 1 and session.decode_finished() == []
        final = session.final()
        assert final.segments == tuple(finished)
        session.close()
        return final.text

    with ThreadPoolExecutor(max_workers=2) as pool:
        heard = list(pool.map(recognize, recordings))
    for text, said in zip(texts, heard, strict=True):
        assert word_error_rate(text, said) <= 0.20, said
    assert isinstance(engine, ASREngine)


def test_partials_on_a_cut_window_hear_what_the_full_window_hears(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    english = utterance(engine_pool, ENGLISH[:1], "en", ENGLISH_VOICE)
    chinese = utterance(engine_pool, CHINESE[:1], "zh", CHINESE_VOICE)
    for audio, language, said, rate in (
        (english, "en", ENGLISH[0], word_error_rate),
        (chinese, "zh", CHINESE[0], character_error_rate),
    ):
        quick = engine.partial_text(audio, language)
        full = " ".join(s.text for s in engine.decode(audio, language, engine.partial_plan))
        assert rate(said, quick) <= rate(said, full) + 0.1, (quick, full)


def test_a_looping_decode_is_recognized() -> None:
    from voxhub.engines.asr.whisper.quick import _repeats_a_run, _repetitive, _starts_over

    sentence = "She opened the door and walked into the room. "
    assert _repetitive(sentence * 4)
    assert not _repetitive(" ".join(ENGLISH))
    said_twice = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8]
    assert _repeats_a_run(said_twice)
    assert not _repeats_a_run([1, 2, 3, 4, 5, 9, 1, 2, 3, 4, 5, 8, 1, 2])
    # a run overlapping itself (one token said many times) is the compression check's
    assert not _repeats_a_run([7] * 8)
    # back to the start: "Tonight the orchestra will … Tchaikovsky. Tonight the orchestra will"
    assert _starts_over([11, 12, 13, 14, 20, 21, 22, 23, 11, 12, 13, 14])
    assert not _starts_over([11, 12, 13, 20, 21, 22, 12, 13])
    assert not _starts_over([11, 12, 13, 11, 12])


def test_a_decode_that_stops_before_the_speech_does_is_recognized() -> None:
    from voxhub.engines.asr.whisper.quick import QuickDecode, speech_end

    words = [(" We", 0.18, 0.36, 0.9), (" are", 0.36, 0.56, 0.9)]
    assert QuickDecode(" We are", words).stops_early(3.0)
    assert not QuickDecode(" We are", words).stops_early(0.9)
    # nothing to judge by: partials come without words
    assert not QuickDecode(" We are").stops_early(3.0)
    # speech ends where the sound does, not where the VAD's padding and silence do
    tone = np.sin(np.arange(RATE) * 0.05).astype(np.float32)
    padded = np.concatenate([np.zeros(RATE // 5), tone, np.zeros(RATE), 1e-4 * tone])
    assert speech_end(padded) == pytest.approx(1.2, abs=0.02)
    assert speech_end(np.zeros(RATE, dtype=np.float32)) == 0.0


def test_words_whisper_splits_are_whole_again_in_finals_and_files(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    # whisper gives " o" + "'clock", and " art" + "ificial" where Chinese splits into tokens
    cases = (
        ("We meet at eight o'clock in the morning.", "en", "o'clock"),
        ("我们学习artificial intelligence技术。", "zh", "artificial"),
    )
    for said, language, word in cases:
        audio = utterance(engine_pool, [said], language, ENGLISH_VOICE)
        transcript = engine.transcribe(audio, language)
        session = engine.open_session(StreamOptions(language=language))
        session.accept(audio)
        final = session.final()
        session.close()
        for heard in (transcript, final):
            assert word in heard.text.lower(), heard.text
            assert word in [w.text.lower().strip(".,。") for w in heard.words], heard.words


def test_a_long_unbroken_turn_is_decoded_while_it_is_spoken(
    tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool
) -> None:
    # no pause closes a segment (2 s needed): only the 5 s limit cuts this ~12 s turn
    vad = VadConfig(min_silence=2.0, max_stream_speech=5.0)
    cache: Path = tmp_path_factory.mktemp("models")
    engine = WhisperEngine.load(ASROptions(cache_dir=str(cache), vad=vad))
    audio = utterance(engine_pool, ENGLISH, "en", ENGLISH_VOICE, pause=0.25)
    session = engine.open_session(StreamOptions(language="en"))
    for piece in chunks(audio, 0.1):
        session.accept(piece)
    # by the end of the audio every piece but the open one is decoded already
    decoded = session.decode_finished()
    assert len(decoded) >= 2 and decoded[-1].end >= len(audio) / RATE - 5.5
    final = session.final()
    # cut at its quietest points, the turn loses or doubles no word
    assert word_error_rate(" ".join(ENGLISH), final.text) <= 0.1, final.text
    assert final.segments[: len(decoded)] == tuple(decoded)
    _ordered_inside(final)
    session.close()


def test_a_stream_keeps_its_language_through_short_turns(
    engine: WhisperEngine, engine_pool: EnginePool
) -> None:
    """espeak's Mandarin "好的" and "谢谢" alone are detected as English; after a Chinese
    sentence in the same stream they are Chinese, and a long English turn still switches."""
    voice = "espeak:cmn"
    shorts = ["好的。", "谢谢。"]
    alone = [engine.transcribe(utterance(engine_pool, [s], "zh", voice), None) for s in shorts]
    assert [t.language for t in alone] == ["en", "en"]
    session = engine.open_session(StreamOptions(language="auto", partials=False))
    session.accept(utterance(engine_pool, [CHINESE[0]], "zh", voice))
    assert session.final().language == "zh"
    for short in shorts:
        session.accept(utterance(engine_pool, [short], "zh", voice))
        assert session.final().language == "zh"
    session.accept(utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE))
    switched = session.final()
    assert switched.language == "en"
    assert word_error_rate(" ".join(ENGLISH[:2]), switched.text) <= 0.20, switched.text
    session.close()
