"""Reference recordings for voice registry tests, spoken by the real espeak engine."""

from __future__ import annotations

from voxhub.audio.encode import encode
from voxhub.audio.formats import AudioFormat
from voxhub.audio.resample import resample
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams

TRANSCRIPT = "The quick brown fox jumps over the lazy dog near the river bank."


def reference_wav(
    pool: EnginePool,
    text: str = TRANSCRIPT,
    sample_rate: int | None = None,
    fmt: AudioFormat = AudioFormat.WAV,
) -> bytes:
    """`text` spoken by espeak (en-us), encoded as `fmt`, at `sample_rate` if given."""
    engine = pool.get("espeak")
    voice = engine.default_voice("en")
    audio = engine.synthesize(text, voice, "en", SynthesisParams())
    samples, rate = audio.samples, audio.sample_rate
    if sample_rate is not None:
        samples, rate = resample(samples, rate, sample_rate), sample_rate
    return encode(samples, rate, fmt)
