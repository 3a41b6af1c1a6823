"""Voice activity detection: silero-vad on onnxruntime, and speech spans from probabilities."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from tests.support.asr_speech import RATE, chunks, silence, speak
from voxhub.engines.asr.vad import (
    FRAME,
    SileroVad,
    SpeechSegmenter,
    VadConfig,
    silero_model_path,
    speech_spans,
)
from voxhub.engines.pool import EnginePool


@pytest.fixture(scope="module")
def vad() -> SileroVad:
    return SileroVad.load()


def test_the_model_comes_from_faster_whisper_without_torch() -> None:
    path = silero_model_path()
    assert path.name == "silero_vad_v6.onnx" and path.parent.parent.name == "faster_whisper"
    assert "torch" not in sys.modules


def test_speech_silence_speech_gives_two_segments(vad: SileroVad, engine_pool: EnginePool) -> None:
    first = speak(engine_pool, "Good morning everybody.", "en", "espeak:en-us")
    second = speak(engine_pool, "See you tomorrow.", "en", "espeak:en-us")
    audio = np.concatenate([silence(0.5), first, silence(2.0), second, silence(0.5)])
    spans = speech_spans(vad, audio, VadConfig())
    assert len(spans) == 2
    gap_start = (0.5 * RATE) + len(first)
    gap_end = gap_start + 2.0 * RATE
    # each segment holds its own speech, and the silence between them is left out
    assert spans[0].start < 0.5 * RATE + 0.2 * RATE and gap_start <= spans[0].end < gap_end
    assert gap_start < spans[1].start <= gap_end and spans[1].end >= gap_end + 0.8 * len(second)


def test_silence_and_noise_floor_have_no_speech(vad: SileroVad) -> None:
    noise = np.random.default_rng(1).normal(0, 0.001, 3 * RATE).astype(np.float32)
    assert speech_spans(vad, noise, VadConfig()) == []
    assert vad.probabilities(silence(1.0)).max() < 0.5


def test_streaming_in_any_chunk_size_matches_the_whole(
    vad: SileroVad, engine_pool: EnginePool
) -> None:
    audio = speak(engine_pool, "Streaming works one frame at a time.", "en", "espeak:en-us")
    whole = vad.probabilities(audio)
    stream = vad.stream()
    pieces = np.concatenate([stream.process(c) for c in chunks(audio, 0.077)])
    assert len(whole) == len(audio) // FRAME == len(pieces)
    np.testing.assert_allclose(pieces, whole, atol=1e-5)
    assert whole.max() > 0.9


def _frames(*runs: tuple[float, float]) -> np.ndarray:
    """Probabilities: (probability, seconds) runs."""
    return np.concatenate([np.full(round(s * RATE / FRAME), p, np.float32) for p, s in runs])


def _seconds(seconds: float) -> float:
    """`seconds` rounded to whole frames, as `_frames` makes them."""
    return round(seconds * RATE / FRAME) * FRAME / RATE


def test_segmenter_drops_blips_pads_and_keeps_spans_apart() -> None:
    config = VadConfig(min_speech=0.25, min_silence=0.5, padding=0.2)
    segmenter = SpeechSegmenter(config)
    spans = segmenter.push(_frames((0.0, 1.0), (0.9, 0.1), (0.0, 1.0), (0.9, 1.0), (0.0, 0.3)))
    # the 0.1 s blip is dropped; the real speech is still open (0.3 s pause < min_silence)
    assert spans == [] and segmenter.open_start is not None
    spans = segmenter.push(_frames((0.9, 1.0), (0.0, 1.0)))
    assert len(spans) == 1
    start, end = spans[0].seconds()
    # speech from 1.0 + 0.1 + 1.0 s to 1.0 s + 0.3 s + 1.0 s later, padded by 0.2 s each side
    speech_start = _seconds(1.0) + _seconds(0.1) + _seconds(1.0)
    speech_end = speech_start + 2 * _seconds(1.0) + _seconds(0.3)
    assert start == pytest.approx(speech_start - 0.2, abs=0.001)
    assert end == pytest.approx(speech_end + 0.2, abs=0.001)
    assert segmenter.open_start is None
    # a pause shorter than the padding on both sides: spans touch, never overlap
    segmenter = SpeechSegmenter(VadConfig(min_silence=0.3, padding=0.25))
    spans = segmenter.push(_frames((0.9, 1.0), (0.0, 0.35), (0.9, 1.0), (0.0, 1.0)))
    assert len(spans) == 2 and spans[0].end <= spans[1].start


def test_segmenter_finish_closes_open_speech_and_cuts_overlong_speech() -> None:
    segmenter = SpeechSegmenter(VadConfig(max_speech=5.0))
    probabilities = _frames((0.9, 3.0), (0.6, 0.2), (0.9, 8.0))
    closed = segmenter.push(probabilities)
    assert len(closed) >= 1 and all(s.end - s.start <= 5.0 * RATE for s in closed)
    rest = segmenter.finish(len(probabilities) * FRAME)
    spans = closed + rest
    assert spans[0].start == 0 and spans[-1].end == len(probabilities) * FRAME
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    assert SpeechSegmenter(VadConfig()).finish(RATE) == []


def test_a_stream_segmenter_cuts_unbroken_speech_at_its_quietest_points() -> None:
    # 20 s of speech whose only dips (to 0.6, still speech) come every 2 s, between words
    pattern = [(0.95, 1.9), (0.6, 0.1)] * 10
    config = VadConfig(max_speech=25.0, max_stream_speech=6.0)
    # a whole file keeps it in one window (whisper reads up to 30 s)
    assert SpeechSegmenter(config).push(_frames(*pattern)) == []
    stream = SpeechSegmenter(config, stream=True)
    probabilities = _frames(*pattern)
    closed = stream.push(probabilities)
    # decoded piece by piece while it is spoken: nothing longer than 6 s, each cut in a dip
    assert len(closed) >= 3 and all(s.end - s.start <= 6.0 * RATE for s in closed)
    for span in closed:
        assert probabilities[span.end // FRAME - 1] == pytest.approx(0.6)
    spans = closed + stream.finish(len(probabilities) * FRAME)
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    with pytest.raises(ValueError, match="four seconds"):
        VadConfig(max_stream_speech=2.0)
