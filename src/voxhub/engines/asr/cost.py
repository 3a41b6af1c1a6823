"""An online estimate of how long one decode takes for a given length of audio."""

from __future__ import annotations

import threading


class DecodeCost:
    """Wall seconds of one decode ≈ fixed + per_second × audio seconds, learned as it runs.

    A weighted least-squares line over recent decodes (older ones fade by `decay` per
    observation), seeded with the initial guess so an estimate exists from the start.
    Observed times include waiting for a core, so the estimate rises under load, which
    is what a caller rationing decodes wants to know.
    """

    def __init__(self, fixed: float, per_second: float, decay: float = 0.05) -> None:
        self._decay = decay
        self._lock = threading.Lock()
        self._fixed = fixed
        self._slope = per_second
        # sums of weight, x, y, x², xy; the guess enters as two light points at 1 s and 20 s
        self._sums = [0.0] * 5
        for seconds in (1.0, 20.0):
            self._add(seconds, fixed + per_second * seconds, weight=0.5)

    def observe(self, audio_seconds: float, elapsed: float) -> None:
        with self._lock:
            self._sums = [s * (1.0 - self._decay) for s in self._sums]
            self._add(audio_seconds, elapsed, weight=1.0)
            self._fit()

    def estimate(self, audio_seconds: float) -> float:
        with self._lock:
            return self._fixed + self._slope * max(audio_seconds, 0.0)

    @property
    def fixed(self) -> float:
        return self._fixed

    @property
    def per_second(self) -> float:
        return self._slope

    def _add(self, x: float, y: float, weight: float) -> None:
        w, sx, sy, sxx, sxy = self._sums
        self._sums = [
            w + weight,
            sx + weight * x,
            sy + weight * y,
            sxx + weight * x * x,
            sxy + weight * x * y,
        ]

    def _fit(self) -> None:
        w, sx, sy, sxx, sxy = self._sums
        mean_x, mean_y = sx / w, sy / w
        spread = sxx / w - mean_x * mean_x
        if spread > 1e-6:
            self._slope = max((sxy / w - mean_x * mean_y) / spread, 0.0)
        self._fixed = max(mean_y - self._slope * mean_x, 0.0)
