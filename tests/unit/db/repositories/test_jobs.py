"""Job state transitions are atomic on SQLite, PostgreSQL and MariaDB alike."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.backends import MARIADB, POSTGRES, fresh_database, require_server
from voxhub.db.repositories.events import EventLog, JobEvent
from voxhub.db.repositories.job_views import StaleWork
from voxhub.db.repositories.jobs import JobStore
from voxhub.errors import Conflict, JobNotFound


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    return require_server(POSTGRES if request.param == "postgresql" else MARIADB)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url: str, clock: Clock) -> Iterator[JobStore]:
    engine = fresh_database(database_url)
    yield JobStore(engine, clock)
    engine.dispose()


def _create(store: JobStore, chunks: int = 3, job_id: str = "a" * 32) -> str:
    store.create(
        job_id,
        "text " * chunks,
        {"voice": "espeak:en-us", "format": "wav"},
        [f"chunk {i}" for i in range(chunks)],
        None,
        5,
    )
    return job_id


def test_create_and_read_back_with_microsecond_utc_times(store: JobStore, clock: Clock) -> None:
    job_id = _create(store)
    job = store.get(job_id)
    assert job.status == "queued" and job.chunks_total == 3 and job.chunks_done == 0
    assert job.created_at == clock.now  # microseconds survive on MySQL too
    assert job.request["voice"] == "espeak:en-us"
    with pytest.raises(JobNotFound):
        store.get("b" * 32)


def test_only_one_of_many_concurrent_claims_wins(store: JobStore) -> None:
    job_id = _create(store)
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: store.claim_chunk(job_id, 0, 60), range(16)))
    assert sum(c is not None for c in claims) == 1
    assert store.get(job_id).status == "running"
    assert store.chunk(job_id, 0).attempts == 1


def test_last_chunk_triggers_the_merge_exactly_once(store: JobStore) -> None:
    job_id = _create(store)
    assert store.get(job_id).attempts == 0
    results = []
    for index in range(3):
        assert store.claim_chunk(job_id, index, 60) is not None
        results.append(store.complete_chunk(job_id, index, 1.5))
        # a redelivered message: the chunk is done, so nothing is claimed or merged again
        assert store.claim_chunk(job_id, index, 60) is None
        assert store.complete_chunk(job_id, index, 1.5) is False
    assert results == [False, False, True]
    assert store.get(job_id).chunks_done == 3
    assert store.finish_job(job_id, 4.5) is True
    assert store.finish_job(job_id, 4.5) is False
    job = store.get(job_id)
    assert job.status == "succeeded" and job.duration == 4.5 and job.percent == 100.0
    # three chunks that each ran once: the job ran once
    assert job.attempts == 1 and job.retries == 0


def test_failures_back_off_then_dead_letter_and_manual_retry(store: JobStore) -> None:
    job_id = _create(store, chunks=2)
    assert store.claim_chunk(job_id, 1, 60)
    store.complete_chunk(job_id, 1, 1.0)
    delays = []
    for _ in range(3):
        assert store.claim_chunk(job_id, 0, 60)
        delays.append(store.fail_chunk(job_id, 0, "boom", 2, lambda n: 2.0**n))
        if delays[-1] is not None:
            assert store.get(job_id).status == "retrying"
    assert delays == [2.0, 4.0, None]
    job = store.get(job_id)
    assert job.status == "failed" and job.dead_lettered
    assert job.error is not None and "Chunk 0 failed after 3 attempts: boom" in job.error
    # the first run and chunk 0's two retries; chunk 1 ran once
    assert job.attempts == 3 and job.retries == 2
    with pytest.raises(Conflict):
        store.cancel(job_id)
    job, rerun = store.retry(job_id)
    assert rerun == [0]  # the finished chunk is not synthesized again
    assert job.status == "queued" and not job.dead_lettered and job.manual_retries == 1
    with pytest.raises(Conflict):
        store.retry(job_id)


def test_cancel_stops_claims_and_retry_reopens(store: JobStore) -> None:
    job_id = _create(store)
    assert store.claim_chunk(job_id, 0, 60)
    assert store.cancel(job_id).status == "cancelled"
    assert store.claim_chunk(job_id, 1, 60) is None
    store.release_chunk(job_id, 0)
    _, rerun = store.retry(job_id)
    assert rerun == [0, 1, 2]


def _stale(store: JobStore, waiting: int | None = None, max_retries: int = 3) -> StaleWork:
    return store.stale_work(max_retries, lost_after=10, requeue_after=100, waiting=waiting)


def test_an_expired_lease_sends_the_chunk_again_once(store: JobStore, clock: Clock) -> None:
    job_id = _create(store)
    chunk = store.claim_chunk(job_id, 0, lease_seconds=10)
    assert chunk is not None
    assert _stale(store).chunks == []
    clock.advance(6)
    # a heartbeat keeps the lease; one from an attempt that lost the chunk does not
    assert store.renew_lease(job_id, 0, chunk.attempts, 10)
    assert not store.renew_lease(job_id, 0, chunk.attempts + 1, 10)
    clock.advance(6)
    assert _stale(store).chunks == []
    clock.advance(5)
    assert _stale(store).chunks == [(job_id, 0)]
    # handed out once: a second reconciler at the same moment finds nothing
    assert _stale(store).chunks == []
    # the worker that lost it can no longer renew it or give it back
    assert not store.renew_lease(job_id, 0, chunk.attempts, 10)
    again = store.claim_chunk(job_id, 0, lease_seconds=10)
    assert again is not None and again.attempts == chunk.attempts + 1
    store.release_chunk(job_id, 0, chunk.attempts)
    assert store.chunk(job_id, 0).status == "running"


def test_messages_the_broker_lost_are_found_by_counting_its_queue(
    store: JobStore, clock: Clock
) -> None:
    job_id = _create(store)  # three chunks queued
    clock.advance(11)
    # the broker holds all three: nothing is lost, however long they wait (up to the bound)
    assert _stale(store, waiting=3).chunks == []
    # it holds one: the two oldest are lost, the newest is the one it holds
    assert _stale(store, waiting=1).chunks == [(job_id, 0), (job_id, 1)]
    # the broker lost that one too; the two just sent are not lost again before lost_after
    assert _stale(store, waiting=0).chunks == [(job_id, 2)]
    assert _stale(store, waiting=0).chunks == []
    clock.advance(11)
    assert sorted(_stale(store, waiting=0).chunks) == [(job_id, 0), (job_id, 1), (job_id, 2)]
    # a queue that cannot be counted: only the long bound applies
    clock.advance(50)
    assert _stale(store, waiting=None).chunks == []
    clock.advance(51)
    assert len(_stale(store, waiting=None).chunks) == 3


def test_a_retry_whose_countdown_was_lost_is_sent_again(store: JobStore, clock: Clock) -> None:
    job_id = _create(store, chunks=1)
    assert store.claim_chunk(job_id, 0, lease_seconds=10)
    delay = store.fail_chunk(job_id, 0, "boom", max_retries=3, backoff=lambda attempt: 5.0)
    assert delay == 5.0
    clock.advance(14)
    assert _stale(store, waiting=0).chunks == []
    clock.advance(2)
    assert _stale(store, waiting=0).chunks == [(job_id, 0)]


def test_a_chunk_that_keeps_killing_workers_fails_the_job(store: JobStore, clock: Clock) -> None:
    job_id = _create(store, chunks=1)
    for _ in range(2):
        assert store.claim_chunk(job_id, 0, lease_seconds=1)
        clock.advance(2)
        stale = _stale(store, waiting=0, max_retries=1)
    assert stale.failed_jobs == [job_id]
    assert store.get(job_id).status == "failed"


def test_listing_is_newest_first_and_filtered(store: JobStore, clock: Clock) -> None:
    ids = []
    for n in range(5):
        ids.append(_create(store, chunks=1, job_id=f"{n:032x}"))
        clock.advance(1)
    store.cancel(ids[1])
    jobs, total = store.find(None, limit=2, offset=0)
    assert total == 5 and [j.id for j in jobs] == [ids[4], ids[3]]
    cancelled, count = store.find("cancelled", limit=10, offset=0)
    assert count == 1 and cancelled[0].id == ids[1]
    assert store.counts() == {"queued": 4, "cancelled": 1}


def test_every_transition_is_logged_in_order_and_pushed_after_commit(
    store: JobStore, clock: Clock
) -> None:
    pushed: list[JobEvent] = []
    store.add_listener(pushed.extend)
    job_id = _create(store, chunks=2)
    for index in range(2):
        assert store.claim_chunk(job_id, index, 60) is not None
        clock.advance(1)
        store.complete_chunk(job_id, index, 1.0)
    store.finish_job(job_id, 2.0)
    log = EventLog(store.engine).after(0, job_id)
    assert [(e.kind, e.status, e.chunks_done) for e in log] == [
        ("status", "queued", 0),
        ("status", "running", 0),
        ("progress", "running", 1),
        ("progress", "running", 2),
        ("status", "succeeded", 2),
    ]
    assert [e.id for e in log] == sorted({e.id for e in log})
    assert pushed == log
    assert log[2].eta_seconds == 1.0 and log[-1].eta_seconds is None
    assert EventLog(store.engine).last_id(job_id) == log[-1].id


def test_a_failing_listener_loses_no_event(store: JobStore) -> None:
    def broken(events: list[JobEvent]) -> None:
        raise RuntimeError("push channel down")

    store.add_listener(broken)
    job_id = _create(store)
    store.cancel(job_id)
    assert [e.status for e in EventLog(store.engine).after(0, job_id)] == ["queued", "cancelled"]


def test_purge_takes_finished_jobs_with_their_chunks_and_events(
    store: JobStore, clock: Clock
) -> None:
    old = _create(store, job_id="a" * 32)
    store.cancel(old)
    running = _create(store, job_id="b" * 32)
    clock.advance(3 * 86400)
    recent = _create(store, job_id="c" * 32)
    store.cancel(recent)
    assert store.finished_before(timedelta(days=2), 10) == [old]
    store.delete_jobs([old])
    with pytest.raises(JobNotFound):
        store.get(old)
    assert EventLog(store.engine).after(0, old) == []
    assert store.chunk_texts(old) == []
    assert store.get(running).status == "queued" and store.get(recent).status == "cancelled"
