"""Output audio formats: names, media types and the sample rates each accepts."""

from __future__ import annotations

from enum import Enum

from voxhub.errors import UnsupportedFormat, UnsupportedSampleRate

ACCEPTED_RATES: tuple[int, ...] = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
"""Rates every format accepts; all are valid MPEG-1/2/2.5 rates for mp3."""

OPUS_RATES: tuple[int, ...] = (8000, 12000, 16000, 24000, 48000)
"""Rates the Opus codec runs at; other accepted rates are raised to the next of these."""


class AudioFormat(Enum):
    """A container/codec voxhub can write; the value is the file extension."""

    WAV = "wav"
    MP3 = "mp3"
    OPUS = "opus"
    FLAC = "flac"
    PCM = "pcm"
    # AAC-LC in ADTS frames
    AAC = "aac"

    @property
    def extension(self) -> str:
        return self.value

    def media_type(self, sample_rate: int | None) -> str:
        """The Content-Type; raw PCM names its rate because nothing else in the body does."""
        if self is AudioFormat.PCM:
            return f"audio/L16; rate={sample_rate}; channels=1" if sample_rate else "audio/L16"
        return _MEDIA_TYPES[self]


_MEDIA_TYPES: dict[AudioFormat, str] = {
    AudioFormat.WAV: "audio/wav",
    AudioFormat.MP3: "audio/mpeg",
    AudioFormat.OPUS: "audio/ogg; codecs=opus",
    AudioFormat.FLAC: "audio/flac",
    AudioFormat.AAC: "audio/aac",
}

_NAMES: dict[str, AudioFormat] = {
    **{fmt.value: fmt for fmt in AudioFormat},
    "wave": AudioFormat.WAV,
    "mpeg": AudioFormat.MP3,
    "ogg": AudioFormat.OPUS,
    "pcm16": AudioFormat.PCM,
    "raw": AudioFormat.PCM,
    "l16": AudioFormat.PCM,
    "adts": AudioFormat.AAC,
}


def parse_format(name: str) -> AudioFormat:
    """Look up a format by extension or alias, ignoring case and surrounding spaces."""
    fmt = _NAMES.get(name.strip().lower())
    if fmt is None:
        supported = ", ".join(f.value for f in AudioFormat)
        raise UnsupportedFormat(
            f"Audio format {name!r} is not supported; use one of: {supported} "
            "(aliases: wave, mpeg, ogg, pcm16, raw, l16, adts)."
        )
    return fmt


def check_output(fmt: AudioFormat, sample_rate: int) -> None:
    """Reject a sample rate the format cannot be written at."""
    if sample_rate not in ACCEPTED_RATES:
        rates = ", ".join(str(rate) for rate in ACCEPTED_RATES)
        raise UnsupportedSampleRate(
            f"Sample rate {sample_rate} Hz is not supported for {fmt.value} output; "
            f"use one of {rates} Hz, or leave it out to get the voice's own rate."
        )


def encoded_rate(fmt: AudioFormat, sample_rate: int) -> int:
    """The rate the written file reports: opus output is raised to an Opus-native rate."""
    if fmt is not AudioFormat.OPUS or sample_rate in OPUS_RATES:
        return sample_rate
    return next((rate for rate in OPUS_RATES if rate >= sample_rate), OPUS_RATES[-1])
