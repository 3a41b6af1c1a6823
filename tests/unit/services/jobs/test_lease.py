"""A running chunk's lease is renewed while its worker works, and let go when it is lost."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from tests.support.backends import fresh_database
from voxhub.db.repositories.jobs import JobStore
from voxhub.services.jobs.lease import LeaseKeeper


def _store(tmp_path: Path) -> tuple[JobStore, Engine]:
    engine = fresh_database(f"sqlite:///{tmp_path / 'jobs.db'}")
    store = JobStore(engine)
    store.create("j" * 32, "one. two.", {"voice": "espeak:en-us"}, ["one.", "two."], None, 5)
    return store, engine


def test_the_heartbeat_keeps_the_lease_ahead_while_the_work_runs(tmp_path: Path) -> None:
    store, engine = _store(tmp_path)
    claimed = store.claim_chunk("j" * 32, 0, lease_seconds=0.3)
    assert claimed is not None
    with LeaseKeeper(store, "j" * 32, 0, claimed.attempts, heartbeat=0.05, lease=0.3) as keeper:
        # three leases long: without renewals it would have run out twice
        time.sleep(0.9)
        stale = store.stale_work(3, lost_after=60, requeue_after=600, waiting=2)
        assert stale.chunks == [] and not keeper.lost
    time.sleep(0.4)
    # the work ended without completing: the lease runs out and the chunk is sent again
    assert store.stale_work(3, lost_after=60, requeue_after=600, waiting=2).chunks == [
        ("j" * 32, 0)
    ]
    engine.dispose()


def test_a_lease_taken_back_is_reported_lost(tmp_path: Path) -> None:
    store, engine = _store(tmp_path)
    claimed = store.claim_chunk("j" * 32, 1, lease_seconds=0.1)
    assert claimed is not None
    time.sleep(0.15)
    # the worker stalled past its lease: the reconciler gave the chunk to another worker
    assert store.stale_work(3, lost_after=60, requeue_after=600, waiting=2).chunks
    assert store.claim_chunk("j" * 32, 1, lease_seconds=10) is not None
    with LeaseKeeper(store, "j" * 32, 1, claimed.attempts, heartbeat=0.02, lease=10) as keeper:
        deadline = time.monotonic() + 5
        while not keeper.lost and time.monotonic() < deadline:
            time.sleep(0.01)
        assert keeper.lost
    engine.dispose()
