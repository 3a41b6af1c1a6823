"""Webhook deliveries: one per event, one sender at a time, retried on schedule, never lost;
on SQLite, PostgreSQL and MariaDB alike."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.backends import MARIADB, POSTGRES, fresh_database, require_server
from tests.unit.db.repositories.test_jobs import Clock
from voxhub.db.repositories.events import EventLog, JobEvent
from voxhub.db.repositories.jobs import JobStore
from voxhub.db.repositories.webhooks import LOST, DeliveryStore, Outcome

URL = "https://hooks.example.com/voxhub"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobs.db'}"
    else:
        url = require_server(POSTGRES if request.param == "postgresql" else MARIADB)
    built = fresh_database(url)
    yield built
    built.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def jobs(engine: Engine, clock: Clock) -> JobStore:
    return JobStore(engine, clock)


@pytest.fixture
def deliveries(engine: Engine, clock: Clock) -> DeliveryStore:
    return DeliveryStore(engine, clock)


def ended_job(
    jobs: JobStore, engine: Engine, job_id: str = "a" * 32, progress: bool = False
) -> JobEvent:
    """A job with a callback, cancelled at once; its terminal event."""
    request = {"voice": "espeak:en-us", "format": "wav", "callback_progress": progress}
    jobs.create(job_id, "text", request, ["text"], URL, 5)
    jobs.cancel(job_id)
    return EventLog(engine).after(0, job_id)[-1]


def backoff(attempt: int) -> float:
    return 2.0**attempt


def failed(error: str = "ConnectError: refused") -> Outcome:
    return Outcome(None, error, 3)


def test_one_delivery_per_event(jobs: JobStore, engine: Engine, deliveries: DeliveryStore) -> None:
    event = ended_job(jobs, engine)
    assert event.status == "cancelled"
    assert deliveries.create("1" * 32, event, "job.cancelled", URL, "{}")
    assert not deliveries.create("2" * 32, event, "job.cancelled", URL, "{}")
    [stored] = deliveries.for_job(event.job_id)
    assert (stored.id, stored.event_id, stored.status, stored.attempts) == (
        "1" * 32,
        event.id,
        "pending",
        0,
    )


def test_only_one_of_many_concurrent_senders_claims_a_delivery(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore
) -> None:
    deliveries.create("1" * 32, ended_job(jobs, engine), "job.cancelled", URL, "{}")
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: deliveries.claim("1" * 32, 60), range(16)))
    won = [c for c in claims if c is not None]
    assert len(won) == 1
    assert (won[0].status, won[0].attempts) == ("delivering", 1)


def test_a_failed_attempt_is_recorded_and_retried_on_schedule(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore, clock: Clock
) -> None:
    event = ended_job(jobs, engine)
    deliveries.create("1" * 32, event, "job.cancelled", URL, '{"a":1}')
    claimed = deliveries.claim("1" * 32, 60)
    assert claimed is not None and claimed.body == '{"a":1}'
    started = clock()
    clock.advance(0.5)
    assert deliveries.record(claimed, failed(), started, 5, backoff) == 2.0
    [pending] = deliveries.for_job(event.job_id)
    assert pending.status == "pending"
    assert pending.next_attempt_at == clock() + timedelta(seconds=2)
    assert pending.last_error == "ConnectError: refused"
    assert [(a.attempted_at, a.status_code, a.error) for a in pending.history] == [
        (started, None, "ConnectError: refused")
    ]
    # an early (duplicate) message finds nothing due
    assert deliveries.claim("1" * 32, 60) is None
    clock.advance(2)
    second = deliveries.claim("1" * 32, 60)
    assert second is not None and second.attempts == 2
    assert deliveries.record(second, Outcome(204, None, 12), clock(), 5, backoff) is None
    [done] = deliveries.for_job(event.job_id)
    assert (done.status, done.last_status_code, done.delivered_at) == ("delivered", 204, clock())
    assert [(a.status_code, a.error) for a in done.history] == [
        (None, "ConnectError: refused"),
        (204, None),
    ]
    clock.advance(3600)
    assert deliveries.claim("1" * 32, 60) is None


def test_delivery_fails_after_max_attempts_or_at_once_when_refused(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore, clock: Clock
) -> None:
    event = ended_job(jobs, engine)
    deliveries.create("1" * 32, event, "job.cancelled", URL, "{}")
    for attempt in range(1, 4):
        claimed = deliveries.claim("1" * 32, 60)
        assert claimed is not None and claimed.attempts == attempt
        answer = Outcome(500, "answered HTTP 500", 5)
        delay = deliveries.record(claimed, answer, clock(), 3, backoff)
        assert delay == (None if attempt == 3 else backoff(attempt))
        clock.advance(100)
    [gave_up] = deliveries.for_job(event.job_id)
    assert (gave_up.status, gave_up.attempts, len(gave_up.history)) == ("failed", 3, 3)

    other = ended_job(jobs, engine, "b" * 32)
    deliveries.create("2" * 32, other, "job.cancelled", URL, "{}")
    claimed = deliveries.claim("2" * 32, 60)
    assert claimed is not None
    refused = Outcome(None, "redirect to http://10.0.0.1/ is refused", 4, final=True)
    assert deliveries.record(claimed, refused, clock(), 3, backoff) is None
    assert deliveries.for_job(other.job_id)[0].status == "failed"


def test_recover_resends_lost_messages_and_deliveries_of_dead_senders(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore, clock: Clock
) -> None:
    lost_message = ended_job(jobs, engine, "a" * 32)
    dead_sender = ended_job(jobs, engine, "b" * 32)
    deliveries.create("1" * 32, lost_message, "job.cancelled", URL, "{}")
    deliveries.create("2" * 32, dead_sender, "job.cancelled", URL, "{}")
    assert deliveries.claim("2" * 32, 30) is not None
    clock.advance(10)
    assert deliveries.recover(overdue_after=60, max_attempts=3) == []
    clock.advance(55)
    # both: the pending one is 65 s overdue, the claimed one's lease ran out
    assert sorted(deliveries.recover(overdue_after=60, max_attempts=3)) == ["1" * 32, "2" * 32]
    # made due now: the next sweep leaves them alone until they are overdue again
    assert deliveries.recover(overdue_after=60, max_attempts=3) == []
    [revived] = deliveries.for_job(dead_sender.job_id)
    assert (revived.status, revived.attempts, revived.last_error) == ("pending", 1, LOST)
    assert [a.error for a in revived.history] == [LOST]
    retried = deliveries.claim("2" * 32, 30)
    assert retried is not None and retried.attempts == 2

    # a sender that outlived its lease may not overwrite the state of the next claim
    clock.advance(31)
    assert deliveries.recover(overdue_after=60, max_attempts=2) == []
    [exhausted] = deliveries.for_job(dead_sender.job_id)
    assert (exhausted.status, exhausted.attempts) == ("failed", 2)
    assert deliveries.record(retried, Outcome(200, None, 1), clock(), 2, backoff) is None
    assert deliveries.for_job(dead_sender.job_id)[0].status == "failed"


def test_missing_finds_terminal_events_whose_delivery_was_never_created(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore, clock: Clock
) -> None:
    event = ended_job(jobs, engine, "a" * 32)
    delivered = ended_job(jobs, engine, "b" * 32)
    deliveries.create("2" * 32, delivered, "job.cancelled", URL, "{}")
    jobs.create("c" * 32, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)
    jobs.cancel("c" * 32)  # no callback: nothing to deliver
    assert deliveries.missing(older_than=30, within=3600) == []
    clock.advance(31)
    [found] = deliveries.missing(older_than=30, within=3600)
    assert (found.id, found.job_id, found.status, found.callback_url) == (
        event.id,
        event.job_id,
        "cancelled",
        URL,
    )
    clock.advance(3600)
    assert deliveries.missing(older_than=30, within=3600) == []


def test_progress_subscribers_are_the_jobs_that_asked(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore
) -> None:
    ended_job(jobs, engine, "a" * 32, progress=True)
    ended_job(jobs, engine, "b" * 32, progress=False)
    assert deliveries.progress_subscribers({"a" * 32, "b" * 32, "c" * 32}) == {"a" * 32}
    assert deliveries.progress_subscribers(set()) == set()


def test_deliveries_go_with_their_job(
    jobs: JobStore, engine: Engine, deliveries: DeliveryStore
) -> None:
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from voxhub.db.models import JobRow

    event = ended_job(jobs, engine)
    deliveries.create("1" * 32, event, "job.cancelled", URL, "{}")
    claimed = deliveries.claim("1" * 32, 60)
    assert claimed is not None
    with Session(engine) as session, session.begin():
        session.execute(delete(JobRow).where(JobRow.id == event.job_id))
    assert deliveries.for_job(event.job_id) == []
    # the attempt that was under way when the job went is dropped, not an error
    assert deliveries.record(claimed, failed(), claimed.created_at, 5, backoff) is None
