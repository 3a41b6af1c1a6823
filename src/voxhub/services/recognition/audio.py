"""PCM16 frames of one utterance: counted against its length limit, resampled to the engine."""

from __future__ import annotations

import numpy as np

from voxhub.audio.resample import StreamResampler
from voxhub.engines.asr.base import Samples
from voxhub.errors import InvalidAudioFrame

_EMPTY = np.zeros(0, dtype=np.float32)


def pcm16_samples(pcm: bytes) -> Samples:
    """Little-endian signed 16-bit PCM to float32 in [-1, 1)."""
    if len(pcm) % 2:
        raise InvalidAudioFrame(
            f"An audio frame of {len(pcm)} bytes is not whole PCM16 samples (2 bytes each); "
            "send little-endian 16-bit mono PCM."
        )
    samples: Samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    return samples


class StreamAudio:
    """Audio of the current utterance at the client's rate, in, and at the engine's rate, out.

    The length limit is counted in the client's samples, so an over-long frame is split
    exactly where the limit falls; the rest belongs to the next utterance.
    """

    def __init__(self, client_rate: int, engine_rate: int, max_seconds: float) -> None:
        self.client_rate = client_rate
        self.engine_rate = engine_rate
        self._max_samples = max(int(max_seconds * client_rate), 1)
        self._samples = 0
        self._resampler = self._new_resampler()

    @property
    def heard(self) -> bool:
        """Whether any audio came since the start or the last final."""
        return self._samples > 0

    @property
    def full(self) -> bool:
        return self._samples >= self._max_samples

    @property
    def seconds(self) -> float:
        return self._samples / self.client_rate

    def add(self, pcm: bytes) -> tuple[Samples, bytes]:
        """Engine-rate samples of what fits in the utterance, and the PCM beyond its limit."""
        samples = pcm16_samples(pcm)
        room = self._max_samples - self._samples
        rest = b""
        if len(samples) > room:
            samples, rest = samples[:room], pcm[2 * room :]
        self._samples += len(samples)
        if self._resampler is None or not len(samples):
            return samples, rest
        return self._resampler.process(samples), rest

    def finish(self) -> Samples:
        """The resampler's tail; the next call to `add` starts a new utterance."""
        tail = _EMPTY
        if self._resampler is not None and self._samples:
            tail = self._resampler.process(_EMPTY, last=True)
        self.clear()
        return tail

    def clear(self) -> None:
        self._samples = 0
        self._resampler = self._new_resampler()

    def _new_resampler(self) -> StreamResampler | None:
        if self.client_rate == self.engine_rate:
            return None
        return StreamResampler(self.client_rate, self.engine_rate)
