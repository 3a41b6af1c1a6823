"""Connection admission with a retry hint, and the partial cadence under load."""

from __future__ import annotations

import pytest

from voxhub.errors import Overloaded
from voxhub.services.recognition.cadence import PartialCadence
from voxhub.services.recognition.limits import ConnectionLimiter
from voxhub.services.recognition.stats import ASRStreamStats


def test_admits_up_to_the_limit_then_refuses_with_a_retry_hint() -> None:
    stats = ASRStreamStats(2)
    limiter = ConnectionLimiter(2, stats)
    first, second = limiter.admit(), limiter.admit()
    with pytest.raises(Overloaded) as refused:
        limiter.admit()
    assert refused.value.retry_after >= 1
    assert "retry in" in refused.value.message
    limiter.release(first)
    limiter.release(first)  # releasing twice counts once
    third = limiter.admit()
    snapshot = stats.snapshot(0, 1)
    assert (snapshot.active_connections, snapshot.connections_total, snapshot.rejected) == (
        2,
        3,
        1,
    )
    limiter.release(second)
    limiter.release(third)
    assert stats.active == 0


def test_partials_thin_out_with_backlog_and_decode_cost() -> None:
    cadence = PartialCadence(base_interval=0.5, threads=2)
    idle = cadence.interval(incremental=False, partial_seconds=0.0, streams=1, backlog=0)
    assert idle == pytest.approx(0.5)
    # incremental engines are asked more often
    assert cadence.interval(incremental=True, partial_seconds=0.0, streams=1, backlog=0) < idle
    queued = cadence.interval(incremental=False, partial_seconds=0.0, streams=1, backlog=4)
    assert queued == pytest.approx(3 * idle)
    # 10 streams of a 0.8 s re-decode fit in half of 2 threads only every 8 s
    costly = cadence.interval(incremental=False, partial_seconds=0.8, streams=10, backlog=0)
    assert costly == pytest.approx(8.0)


def test_real_time_factor_is_decode_over_audio_seconds() -> None:
    stats = ASRStreamStats(1)
    assert stats.snapshot(0, 1).real_time_factor is None
    stats.audio_processed("fake", 4.0)
    stats.decoded("fake", "accept", 0.5)
    stats.decoded("fake", "final", 0.5)
    assert stats.snapshot(0, 1).real_time_factor == pytest.approx(0.25)
