"""Find where speech starts and ends in a clip, to trim silence at its edges."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_FRAME_SECONDS = 0.010


def speech_bounds(
    samples: npt.NDArray[np.float32],
    sample_rate: int,
    threshold_db: float = -45.0,
    pad_ms: float = 20.0,
) -> tuple[int, int]:
    """(first, last) sample indexes, last exclusive, of the audible span plus padding.

    The span runs from the first to the last 10 ms frame whose RMS level is above
    `threshold_db` dBFS, widened by `pad_ms` on each side (so soft onsets and
    decays survive) and clamped to the clip. A silent or empty clip gives (0, 0).
    """
    count = len(samples)
    if count == 0:
        return 0, 0
    frame = max(1, round(sample_rate * _FRAME_SECONDS))
    loud = np.flatnonzero(_frame_rms(samples, frame) > 10.0 ** (threshold_db / 20.0))
    if len(loud) == 0:
        return 0, 0
    pad = round(sample_rate * pad_ms / 1000.0)
    first = max(0, int(loud[0]) * frame - pad)
    last = min(count, (int(loud[-1]) + 1) * frame + pad)
    return first, last


def _frame_rms(samples: npt.NDArray[np.float32], frame: int) -> npt.NDArray[np.float64]:
    """RMS of each frame; the last, shorter frame is averaged over its own length."""
    squares = np.square(samples, dtype=np.float64)
    starts = np.arange(0, len(samples), frame)
    lengths = np.diff(np.append(starts, len(samples)))
    rms: npt.NDArray[np.float64] = np.sqrt(np.add.reduceat(squares, starts) / lengths)
    return rms
