"""The piper engine speaks English with word timings in sync with its audio."""

from __future__ import annotations

import itertools
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from voxhub.audio.silence import speech_bounds
from voxhub.engines.registry import tts_engine_class
from voxhub.engines.tts.base import SpokenAudio, SynthesisParams, TTSEngine
from voxhub.engines.tts.options import EngineOptions
from voxhub.engines.tts.piper.engine import PiperEngine
from voxhub.engines.tts.piper.model import CONFIG_FILE, MODEL_FILE, VOICE_PACKAGE
from voxhub.errors import EngineUnavailable, UnsupportedLanguage

FRAME = 0.010
# the level speech_bounds counts as sound
LOUD = 10 ** (-45 / 20)


@pytest.fixture(scope="module")
def piper() -> PiperEngine:
    return PiperEngine.load(EngineOptions(threads=2))


def _say(engine: TTSEngine, text: str, speed: float = 1.0) -> SpokenAudio:
    return engine.synthesize(text, engine.default_voice("en"), "en", SynthesisParams(speed=speed))


def _frame_levels(audio: SpokenAudio) -> NDArray[np.float64]:
    """RMS of each 10 ms frame."""
    frame = round(audio.sample_rate * FRAME)
    count = len(audio.samples) // frame
    frames = audio.samples[: count * frame].reshape(count, frame).astype(np.float64)
    levels: NDArray[np.float64] = np.sqrt(np.mean(frames**2, axis=1))
    return levels


def _longest_pause(audio: SpokenAudio) -> tuple[float, float]:
    """The longest run of quiet frames strictly inside the speech, in seconds."""
    loud = _frame_levels(audio) > LOUD
    first, last = np.flatnonzero(loud)[[0, -1]]
    best = (0, 0)
    start = None
    for index in range(first, last + 1):
        if not loud[index] and start is None:
            start = index
        elif loud[index] and start is not None:
            best = max(best, (start, index), key=lambda run: run[1] - run[0])
            start = None
    return best[0] * FRAME, best[1] * FRAME


def test_english_speech_with_words_in_order(piper: PiperEngine) -> None:
    text = "Hello world, this is a test of the speech system."
    audio = _say(piper, text)
    assert audio.sample_rate == piper.capabilities.sample_rate == 22050
    assert audio.samples.dtype == np.float32
    assert float(np.abs(audio.samples).max()) > 0.1, "audio is silent"
    # ten words at a natural pace: about two to five seconds
    assert 1.5 < audio.duration < 6
    assert [w.text for w in audio.words] == re.findall(r"[A-Za-z]+", text)
    for word in audio.words:
        assert 0 <= word.start < word.end <= audio.duration + 1e-6
    for earlier, later in itertools.pairwise(audio.words):
        assert earlier.end <= later.start + 1e-6


def test_words_follow_the_speech_energy(piper: PiperEngine) -> None:
    audio = _say(piper, "The morning train left the station at seven, carrying commuters home.")
    levels = _frame_levels(audio)
    for word in audio.words:
        span = levels[int(word.start / FRAME) : int(np.ceil(word.end / FRAME))]
        assert span.max() > LOUD, f"no speech under {word}"
    first, last = speech_bounds(audio.samples, audio.sample_rate)
    assert abs(audio.words[-1].end - last / audio.sample_rate) <= 0.050
    assert abs(audio.words[0].start - first / audio.sample_rate) <= 0.050


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("The rain stopped at noon. We walked home along the river.", "noon", "We"),
        ("When the music ended, everyone stood up and cheered loudly.", "ended", "everyone"),
    ],
)
def test_pause_falls_between_the_neighbouring_words(
    piper: PiperEngine, text: str, before: str, after: str
) -> None:
    audio = _say(piper, text)
    start, end = _longest_pause(audio)
    assert end - start >= 0.08, "expected an audible pause at the punctuation"
    middle = (start + end) / 2
    inside = [w for w in audio.words if w.start < middle < w.end]
    assert not inside, f"{inside} spans the pause at {middle:.2f} s"
    earlier = [w for w in audio.words if w.end <= middle]
    later = [w for w in audio.words if w.start >= middle]
    assert earlier[-1].text == before and later[0].text == after
    # the words end and start near the pause's edges, not somewhere inside the silence
    assert earlier[-1].end <= start + 0.05 and later[0].start >= end - 0.05


def test_merged_words_still_cover_the_text(piper: PiperEngine) -> None:
    # espeak speaks "of the" as one phoneme word; every written word still gets a span
    text = "Most of the people in the hall, I think, had none of the answers."
    audio = _say(piper, text)
    assert [w.text for w in audio.words] == re.findall(r"[A-Za-z]+", text)
    for earlier, later in itertools.pairwise(audio.words):
        assert earlier.start < earlier.end <= later.start + 1e-6


def test_speed_maps_to_length(piper: PiperEngine) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    normal = _say(piper, text).duration
    fast = _say(piper, text, speed=1.6).duration
    slow = _say(piper, text, speed=0.7).duration
    assert fast < normal * 0.8 < normal < slow * 0.85


def test_concurrent_calls(piper: PiperEngine) -> None:
    texts = ["One two three.", "Four five six, seven.", "Eight nine ten eleven twelve."]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda t: _say(piper, t), texts * 2))
    for text, audio in zip(texts * 2, results, strict=True):
        assert [w.text for w in audio.words] == re.findall(r"[A-Za-z]+", text)


def test_silent_text_gives_no_audio(piper: PiperEngine) -> None:
    audio = _say(piper, "   ")
    assert len(audio.samples) == 0 and not audio.words


def test_voice_language_and_capabilities(piper: PiperEngine) -> None:
    voice = piper.default_voice("en")
    assert voice.id == "piper:en_US-joe-medium" and voice.name == "en_US-joe-medium"
    assert [v.id for v in piper.voices()] == [voice.id]
    caps = piper.capabilities
    assert caps.languages == frozenset({"en"})
    assert caps.word_timings and not caps.cloning
    with pytest.raises(UnsupportedLanguage):
        piper.default_voice("zh")
    with pytest.raises(UnsupportedLanguage):
        piper.synthesize("你好。", voice, "zh", SynthesisParams())


def test_registered_by_name() -> None:
    assert tts_engine_class("piper") is PiperEngine


def _voice_copy(target: Path) -> Path:
    from importlib import resources

    data = resources.files(VOICE_PACKAGE) / "data"
    for name in (MODEL_FILE, CONFIG_FILE):
        with resources.as_file(data / name) as source:
            shutil.copyfile(source, target / name)
    return target


def test_model_dir_loads_a_verified_copy(tmp_path: Path) -> None:
    engine = PiperEngine.load(EngineOptions(threads=1, model_dir=str(_voice_copy(tmp_path))))
    assert _say(engine, "Hello there.").words


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    model = _voice_copy(tmp_path) / MODEL_FILE
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte among the weights
    model.write_bytes(bytes(data))
    with pytest.raises(EngineUnavailable, match=r"checksum mismatch for en_US-joe-medium\.onnx"):
        PiperEngine.load(EngineOptions(threads=1, model_dir=str(tmp_path)))


def test_model_dir_without_the_voice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"has no en_US-joe-medium\.onnx"):
        PiperEngine.load(EngineOptions(threads=1, model_dir=str(tmp_path)))
