"""Decode uploaded or downloaded audio (wav, mp3, ogg/opus, webm, flac, ...) with PyAV."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from voxhub.audio.resample import resample
from voxhub.errors import UndecodableAudio

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """Mono float32 samples in [-1, 1], their rate, and what the file said it was."""

    samples: Samples
    sample_rate: int
    # the container's name as PyAV reports it ("wav", "mp3", "ogg", "matroska,webm", ...)
    container: str
    # the file's own sample rate, before any conversion
    source_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def decode_audio(data: bytes, sample_rate: int | None = None) -> DecodedAudio:
    """Decode the first audio stream of `data` to mono, at `sample_rate` when given.

    Raises UndecodableAudio naming the problem when `data` is not audio PyAV can read.
    """
    if not data:
        raise UndecodableAudio("The audio is empty.")
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UndecodableAudio("The file has no audio stream.")
            stream = container.streams.audio[0]
            # the resampler only mixes to mono float; soxr converts the rate afterwards
            mixer = av.AudioResampler(format="flt", layout="mono")
            pieces: list[Samples] = []
            source_rate = 0
            for frame in container.decode(stream):
                source_rate = source_rate or frame.sample_rate
                for mixed in mixer.resample(frame):
                    pieces.append(mixed.to_ndarray().reshape(-1).astype(np.float32, copy=False))
            for mixed in mixer.resample(None):
                pieces.append(mixed.to_ndarray().reshape(-1).astype(np.float32, copy=False))
            name = container.format.name
    except UndecodableAudio:
        raise
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise UndecodableAudio(
            f"Cannot decode the audio ({exc}); send wav, mp3, ogg/opus, webm or flac."
        ) from exc
    if not pieces or source_rate == 0:
        raise UndecodableAudio("The audio holds no samples.")
    samples = np.concatenate(pieces)
    rate = sample_rate or source_rate
    samples = resample(samples, source_rate, rate)
    return DecodedAudio(samples=samples, sample_rate=rate, container=name, source_rate=source_rate)
