"""Helpers of the real-time recognition tests: settings, audio, and speech made by kokoro."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np

from voxhub.audio.resample import resample
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams
from voxhub.settings import ASRSettings, EngineSettings, Settings

RATE = 16_000
# kokoro's English with this speaker, a little slower than normal, is what pocketsphinx's
# en-us model understands best among the voices voxhub ships (WER ≈ 2% here)
SPEECH_VOICE = "kokoro:jf_gongitsune"
SPEECH_SPEED = 0.85
SENTENCE = "The weather is nice today and we are going to the park to play football."


def asr_settings(data_dir: Path, **asr: Any) -> Settings:
    """espeak for TTS (loads in milliseconds), the fake and pocketsphinx for recognition."""
    fields: dict[str, Any] = {"default": "fake", "enabled": ["fake", "pocketsphinx"], **asr}
    return Settings(
        data_dir=data_dir,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=["espeak"]),
        asr=ASRSettings(**fields),
    )


def ws_url(http_url: str, path: str = "/v1/asr/stream") -> str:
    return http_url.replace("http://", "ws://", 1) + path


def tone(seconds: float, amplitude: float = 0.3, rate: int = RATE) -> bytes:
    """A loud tone as PCM16: the fake engine hears one word per 100 ms of it."""
    t = np.arange(round(seconds * rate), dtype=np.float32) / rate
    return pcm16(amplitude * np.sin(2 * np.pi * 440 * t).astype(np.float32))


def silence(seconds: float, rate: int = RATE) -> bytes:
    return bytes(2 * round(seconds * rate))


def pcm16(samples: np.ndarray) -> bytes:
    data: bytes = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return data


def frames(pcm: bytes, seconds: float = 0.1, rate: int = RATE) -> list[bytes]:
    step = 2 * round(seconds * rate)
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def english_speech(engine_pool: EnginePool, text: str = SENTENCE) -> bytes:
    """`text` spoken by kokoro, 16 kHz PCM16 with half a second of silence either side."""
    kokoro = engine_pool.get("kokoro")
    voice = next(v for v in kokoro.voices() if v.id == SPEECH_VOICE)
    spoken = kokoro.synthesize(text, voice, "en", SynthesisParams(speed=SPEECH_SPEED))
    samples = resample(spoken.samples, spoken.sample_rate, RATE)
    pad = np.zeros(RATE // 2, dtype=np.float32)
    return pcm16(np.concatenate([pad, samples, pad]))


def write_wav(path: Path, pcm: bytes, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return path
