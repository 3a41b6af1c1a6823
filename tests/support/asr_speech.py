"""Speech for recognition tests, spoken by voxhub's own TTS engines and resampled to 16 kHz."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import soundfile as sf

from voxhub.audio.resample import resample
from voxhub.engines.asr.base import Samples
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams
from voxhub.text.normalize import normalize

RATE = 16_000
# kokoro's jm_kumo speaks the clearest English of the shipped voices for pocketsphinx
ENGLISH_VOICE = "kokoro:jm_kumo"
CHINESE_VOICE = "kokoro:jm_kumo"

ENGLISH = (
    "The weather is nice today and we will go to the park.",
    "Please call me when you get home tonight.",
    "I would like a cup of coffee with milk and sugar.",
    "She opened the door and walked into the room.",
)
CHINESE = (
    "今天天气很好，我们一起去公园散步吧。",
    "请你明天早上八点到办公室来。",
)


def speak(pool: EnginePool, text: str, language: str, voice: str) -> Samples:
    """One sentence spoken by `voice` (ENGINE:NAME), as 16 kHz mono float32."""
    engine = pool.get(voice.partition(":")[0])
    chosen = next(v for v in engine.voices() if v.id == voice)
    audio = engine.synthesize(normalize(text, language), chosen, language, SynthesisParams())
    return resample(audio.samples, audio.sample_rate, RATE)


def silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def utterance(
    pool: EnginePool,
    sentences: Sequence[str],
    language: str,
    voice: str,
    pause: float = 0.6,
    edge: float = 0.3,
) -> Samples:
    """Sentences one after another with `pause` s between them and `edge` s around them."""
    parts = [silence(edge)]
    for i, text in enumerate(sentences):
        if i:
            parts.append(silence(pause))
        parts.append(speak(pool, text, language, voice))
    parts.append(silence(edge))
    return np.concatenate(parts)


def wav_bytes(samples: Samples, fmt: str = "WAV") -> bytes:
    """16 kHz samples as a file (WAV, FLAC or OGG)."""
    out = io.BytesIO()
    sf.write(out, samples, RATE, format=fmt)
    return out.getvalue()


def chunks(samples: Samples, seconds: float) -> list[Samples]:
    size = round(seconds * RATE)
    return [samples[i : i + size] for i in range(0, len(samples), size)]
