"""Sample rate conversion with soxr, for whole arrays and for chunked streams."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

Samples = npt.NDArray[np.float32]

_QUALITY = "HQ"


def _as_float32(samples: npt.NDArray[np.floating]) -> Samples:
    # soxr wants a contiguous array of the dtype it was set up for
    return np.ascontiguousarray(samples, dtype=np.float32)


def _check_rates(from_rate: int, to_rate: int) -> None:
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"Sample rates must be positive, got {from_rate} -> {to_rate} Hz.")


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Convert mono samples from one rate to another; the same array back when they match."""
    if from_rate == to_rate:
        return samples
    _check_rates(from_rate, to_rate)
    out: Samples = _as_float32(soxr.resample(_as_float32(samples), from_rate, to_rate, _QUALITY))
    return out


class StreamResampler:
    """Resample a stream chunk by chunk; the pieces join up like one whole-array resample.

    soxr keeps filter state between chunks, so output lags input slightly: pass
    `last=True` with (or after) the final chunk to get the tail out.
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        _check_rates(from_rate, to_rate)
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._stream = soxr.ResampleStream(from_rate, to_rate, 1, dtype="float32", quality=_QUALITY)

    def process(self, chunk: Samples, last: bool = False) -> Samples:
        out: Samples = _as_float32(self._stream.resample_chunk(_as_float32(chunk), last=last))
        return out
