"""The audio of one utterance, addressed by sample index from its start, with a droppable head."""

from __future__ import annotations

import numpy as np

from voxhub.engines.asr.base import Samples


class UtteranceAudio:
    """Appends cheaply, slices by absolute index, and forgets audio that is no longer needed,
    so a long utterance keeps only what is still to be decoded."""

    def __init__(self) -> None:
        self._parts: list[Samples] = []
        self._data: Samples = np.zeros(0, dtype=np.float32)
        self._origin = 0
        self._end = 0

    @property
    def end(self) -> int:
        """Samples received since the utterance started."""
        return self._end

    @property
    def held(self) -> int:
        """Samples still in memory."""
        return self._end - self._origin

    def append(self, samples: Samples) -> None:
        if len(samples):
            self._parts.append(samples)
            self._end += len(samples)

    def slice(self, start: int, stop: int) -> Samples:
        """Samples [start, stop) of the utterance; the part already forgotten comes back empty."""
        self._compact()
        first = max(start - self._origin, 0)
        return self._data[first : max(stop - self._origin, first)]

    def forget_before(self, index: int) -> None:
        index = min(index, self._end)
        if index <= self._origin:
            return
        self._compact()
        self._data = self._data[index - self._origin :].copy()
        self._origin = index

    def clear(self) -> None:
        self._parts = []
        self._data = np.zeros(0, dtype=np.float32)
        self._origin = self._end = 0

    def _compact(self) -> None:
        if self._parts:
            self._data = np.concatenate([self._data, *self._parts])
            self._parts = []
