"""How often a stream may ask for a partial result: rationed by measured cost and backlog."""

from __future__ import annotations

# incremental engines answer a partial from their running decoder state, so they are
# asked this many times more often than engines that re-decode the utterance
INCREMENTAL_SPEEDUP = 2.0
# partials of all streams together may keep at most this share of the decode threads busy;
# the rest is kept for audio and finals, so finals are never starved
PARTIAL_SHARE = 0.5


class PartialCadence:
    """The least time between two partial decodes of one stream.

    It starts at the configured interval and stretches with what partials cost: the streams
    of an engine times its measured partial decode time must fit in `PARTIAL_SHARE` of the
    decode threads, and every job waiting in the decode queue per thread doubles it again.
    Under load partials thin out first; finals keep their place at the head of the queue.
    """

    def __init__(self, base_interval: float, threads: int) -> None:
        self.base_interval = base_interval
        self.threads = max(threads, 1)

    def interval(
        self, *, incremental: bool, partial_seconds: float, streams: int, backlog: int
    ) -> float:
        base = self.base_interval / (INCREMENTAL_SPEEDUP if incremental else 1.0)
        fair_share = max(streams, 1) * partial_seconds / (self.threads * PARTIAL_SHARE)
        return max(base, fair_share) * (1.0 + backlog / self.threads)
