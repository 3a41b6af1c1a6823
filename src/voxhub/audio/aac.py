"""AAC-LC in ADTS frames (`audio/aac`), encoded by FFmpeg's AAC encoder through PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

# (rates below, bits per second): mono speech stays clear at these, and they stay under
# what AAC-LC allows per channel at each rate (6144 bits per 1024-sample frame)
_BITRATES: tuple[tuple[int, int], ...] = ((16000, 32000), (22050, 48000), (48001, 64000))


class AdtsWriter:
    """Encode mono float samples to AAC onto a file object (anything with `write`) or a path.

    ADTS repeats a small header in every frame and never seeks back, so whatever has been
    written so far is a stream decoders can play. Decoders cannot trim the encoder's
    priming (ADTS has no field for it): the audio decodes with 1024 samples of leading
    silence, and the last frame is padded to 1024 samples.
    """

    def __init__(self, target: Any | Path, sample_rate: int) -> None:
        destination = str(target) if isinstance(target, Path) else target
        self._container = av.open(destination, "w", format="adts")
        self._stream = self._container.add_stream("aac", rate=sample_rate, layout="mono")
        self._stream.bit_rate = _bitrate(sample_rate)
        self._rate = sample_rate
        self._pts = 0

    def write(self, samples: Samples) -> None:
        if not len(samples):
            return
        planar = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="mono")
        frame.sample_rate = self._rate
        frame.time_base = Fraction(1, self._rate)
        frame.pts = self._pts
        self._pts += len(samples)
        self._container.mux(self._stream.encode(frame))

    def close(self) -> None:
        """Flush the encoder and end the stream; nothing may be written after this."""
        if not self._pts:
            # a stream without a single frame is no file: one silent sample makes it one
            self.write(np.zeros(1, np.float32))
        self._container.mux(self._stream.encode(None))
        self._container.close()


class AacStream:
    """AAC for progressive responses: `write` returns the frames completed so far, `close`
    the rest; together they are one ADTS stream holding every sample written."""

    def __init__(self, sample_rate: int) -> None:
        self._buffer = _Buffer()
        self._writer = AdtsWriter(self._buffer, sample_rate)

    def write(self, samples: Samples) -> bytes:
        self._writer.write(samples)
        return self._buffer.take()

    def close(self, tail: Samples) -> bytes:
        self._writer.write(tail)
        self._writer.close()
        return self._buffer.take()


class _Buffer:
    """A write-only file whose bytes are handed on as they come (ADTS never seeks back)."""

    def __init__(self) -> None:
        self._data = bytearray()

    def write(self, data: bytes) -> int:
        self._data += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self._data)
        self._data.clear()
        return data


def _bitrate(sample_rate: int) -> int:
    return next((rate for below, rate in _BITRATES if sample_rate < below), _BITRATES[-1][1])
