"""Job and chunk state in the database; every transition is one conditional UPDATE."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow, utcnow
from voxhub.errors import Conflict, JobNotFound
from voxhub.jobs.events import EventListener, JobEvent, estimate_eta, record_event

log = logging.getLogger("voxhub.jobs")

ACTIVE = ("queued", "running", "retrying")
TERMINAL = ("succeeded", "failed", "cancelled")
STATUSES = ACTIVE + TERMINAL


@dataclass(frozen=True)
class JobView:
    """A job as users see it."""

    id: str
    status: str
    characters: int
    request: dict[str, Any]
    callback_url: str | None
    priority: int
    chunks_total: int
    chunks_done: int
    attempts: int
    manual_retries: int
    dead_lettered: bool
    error: str | None
    duration: float | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def percent(self) -> float:
        return round(100.0 * self.chunks_done / self.chunks_total, 1) if self.chunks_total else 0.0

    @property
    def eta_seconds(self) -> float | None:
        return estimate_eta(
            self.status, self.started_at, self.chunks_done, self.chunks_total, utcnow()
        )


@dataclass(frozen=True)
class ChunkView:
    job_id: str
    index: int
    text: str
    status: str
    attempts: int
    # the job's stored synthesis request, filled in when a worker claims the chunk
    request: dict[str, Any] | None = None


@dataclass(frozen=True)
class StaleWork:
    """What the reconciler must send again: chunks and merges whose message is gone."""

    chunks: list[tuple[str, int]]
    merges: list[str]
    failed_jobs: list[str]


class JobStore:
    """All reads and writes of jobs; safe to use from many processes at once."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = utcnow,
        listeners: Sequence[EventListener] = (),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._listeners = list(listeners)

    def add_listener(self, listener: EventListener) -> None:
        """Called with the events of every transition, after it committed."""
        self._listeners.append(listener)

    def remove_listener(self, listener: EventListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _publish(self, events: list[JobEvent]) -> None:
        # the events are stored already: a listener that fails loses a push, never an event
        for listener in list(self._listeners):
            try:
                listener(events)
            except Exception:
                log.exception("job event listener failed")

    @property
    def engine(self) -> Engine:
        return self._engine

    def create(
        self,
        job_id: str,
        text: str,
        request: dict[str, Any],
        chunks: Sequence[str],
        callback_url: str | None,
        priority: int,
    ) -> JobView:
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            session.add(
                JobRow(
                    id=job_id,
                    status="queued",
                    text=text,
                    request=request,
                    callback_url=callback_url,
                    priority=priority,
                    chunks_total=len(chunks),
                    chunks_done=0,
                    dead_lettered=False,
                    manual_retries=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.flush()
            session.add_all(
                ChunkRow(
                    job_id=job_id,
                    idx=index,
                    text=chunk,
                    status="pending",
                    attempts=0,
                    enqueued_at=now,
                )
                for index, chunk in enumerate(chunks)
            )
            event = record_event(session, job_id, "status", now)
        self._publish([event])
        return self.get(job_id)

    def get(self, job_id: str) -> JobView:
        with Session(self._engine) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise JobNotFound(f"No job {job_id!r}; list your jobs with GET /v1/tts/jobs.")
            return self._view(session, row)

    def find(
        self, status: str | Sequence[str] | None, limit: int, offset: int
    ) -> tuple[list[JobView], int]:
        """Newest first; also the total count for pagination."""
        with Session(self._engine) as session:
            query = select(JobRow)
            count = select(func.count()).select_from(JobRow)
            if status:
                statuses = [status] if isinstance(status, str) else list(status)
                query = query.where(JobRow.status.in_(statuses))
                count = count.where(JobRow.status.in_(statuses))
            rows = session.scalars(
                query.order_by(JobRow.created_at.desc(), JobRow.id).limit(limit).offset(offset)
            ).all()
            return [self._view(session, row) for row in rows], int(session.scalar(count) or 0)

    def active_jobs_with_voice(self, voice_id: str) -> list[str]:
        """Ids of queued or running jobs that speak with `voice_id` (a voice being deleted)."""
        with Session(self._engine) as session:
            rows = session.execute(
                select(JobRow.id, JobRow.request).where(JobRow.status.in_(ACTIVE))
            ).all()
        # the voice sits inside the request's JSON: compared here, the same on every database
        return [job_id for job_id, request in rows if (request or {}).get("voice") == voice_id]

    def chunk(self, job_id: str, index: int) -> ChunkView:
        with Session(self._engine) as session:
            row = session.get(ChunkRow, (job_id, index))
            if row is None:
                raise JobNotFound(f"Job {job_id!r} has no chunk {index}.")
            return _chunk_view(row)

    def chunk_indexes(self, job_id: str, statuses: Sequence[str]) -> list[int]:
        with Session(self._engine) as session:
            return list(
                session.scalars(
                    select(ChunkRow.idx)
                    .where(ChunkRow.job_id == job_id, ChunkRow.status.in_(statuses))
                    .order_by(ChunkRow.idx)
                )
            )

    def chunk_texts(self, job_id: str) -> list[str]:
        with Session(self._engine) as session:
            return list(
                session.scalars(
                    select(ChunkRow.text).where(ChunkRow.job_id == job_id).order_by(ChunkRow.idx)
                )
            )

    def is_active(self, job_id: str) -> bool:
        return self.get_row_value(job_id, JobRow.status) in ACTIVE

    def get_row_value(self, job_id: str, column: Any) -> Any:
        with Session(self._engine) as session:
            value = session.scalar(select(column).where(JobRow.id == job_id))
            if value is None:
                raise JobNotFound(f"No job {job_id!r}; list your jobs with GET /v1/tts/jobs.")
            return value

    # -- worker transitions ---------------------------------------------------------------

    def claim_chunk(self, job_id: str, index: int, lease_seconds: float) -> ChunkView | None:
        """Take a chunk for this worker; None when it is done, taken, or its job stopped."""
        now = self._clock()
        active_job = select(JobRow.id).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
        with Session(self._engine) as session, session.begin():
            _relax_durability(session)
            claimed = session.execute(
                update(ChunkRow)
                .where(
                    ChunkRow.job_id == job_id,
                    ChunkRow.idx == index,
                    ChunkRow.status.in_(("pending", "retrying")),
                    active_job.exists(),
                )
                .values(
                    status="running",
                    attempts=ChunkRow.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    started_at=now,
                    retry_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            if _count(claimed) != 1:
                return None
            started = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(("queued", "retrying")))
                .values(status="running", started_at=func.coalesce(JobRow.started_at, now))
                .execution_options(synchronize_session=False)
            )
            events = [record_event(session, job_id, "status", now)] if _count(started) else []
            row = session.get(ChunkRow, (job_id, index))
            request = session.scalar(select(JobRow.request).where(JobRow.id == job_id))
            assert row is not None and request is not None
            view = _chunk_view(row, request)
        self._publish(events)
        return view

    def complete_chunk(self, job_id: str, index: int, duration: float) -> bool:
        """Record a finished chunk; True when this call finished the last one (merge now)."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            _relax_durability(session)
            finished = session.execute(
                update(ChunkRow)
                .where(
                    ChunkRow.job_id == job_id,
                    ChunkRow.idx == index,
                    ChunkRow.status == "running",
                )
                .values(status="done", finished_at=now, duration=duration, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            events = []
            if _count(finished) == 1:
                # only the transition to done counts, so a redelivery never counts twice
                session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id)
                    .values(chunks_done=JobRow.chunks_done + 1, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                events.append(record_event(session, job_id, "progress", now))
            merge = _queue_merge(session, job_id, now)
        self._publish(events)
        return merge

    def release_chunk(self, job_id: str, index: int) -> None:
        """Give a chunk back untouched (its job was cancelled while it ran)."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(ChunkRow)
                .where(
                    ChunkRow.job_id == job_id,
                    ChunkRow.idx == index,
                    ChunkRow.status == "running",
                )
                .values(status="pending", lease_until=None)
                .execution_options(synchronize_session=False)
            )

    def fail_chunk(
        self, job_id: str, index: int, error: str, max_retries: int, backoff: Callable[[int], float]
    ) -> float | None:
        """Record a failed attempt: seconds until the retry, or None when retries ran out."""
        now = self._clock()
        events: list[JobEvent] = []
        delay: float | None = None
        with Session(self._engine) as session, session.begin():
            row = session.get(ChunkRow, (job_id, index))
            if row is None or row.status != "running":
                return None
            if row.attempts <= max_retries:
                delay = backoff(row.attempts)
                row.status = "retrying"
                row.error = error
                row.lease_until = None
                row.retry_at = now + timedelta(seconds=delay)
                row.enqueued_at = now
                retrying = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                    .values(status="retrying", updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if _count(retrying):
                    events.append(record_event(session, job_id, "status", now))
            else:
                row.status = "failed"
                row.error = error
                row.lease_until = None
                row.finished_at = now
                events += self._dead_letter(
                    session,
                    job_id,
                    f"Chunk {index} failed after {row.attempts} attempts: {error}",
                )
        self._publish(events)
        return delay

    def finish_job(self, job_id: str, duration: float) -> bool:
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                .values(
                    status="succeeded",
                    merge_state="done",
                    duration=duration,
                    finished_at=now,
                    updated_at=now,
                    error=None,
                )
                .execution_options(synchronize_session=False)
            )
            finished = _count(result) == 1
            events = [record_event(session, job_id, "status", now)] if finished else []
        self._publish(events)
        return finished

    def fail_job(self, job_id: str, error: str) -> None:
        with Session(self._engine) as session, session.begin():
            events = self._dead_letter(session, job_id, error)
        self._publish(events)

    # -- user actions ---------------------------------------------------------------------

    def cancel(self, job_id: str) -> JobView:
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                .values(status="cancelled", finished_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            changed = _count(result) == 1
            events = [record_event(session, job_id, "status", now)] if changed else []
        self._publish(events)
        job = self.get(job_id)
        if not changed:
            raise Conflict(
                f"Job {job_id} is {job.status}; only queued, running or retrying jobs "
                "can be cancelled."
            )
        return job

    def retry(self, job_id: str) -> tuple[JobView, list[int]]:
        """Re-open a failed or cancelled job; returns the chunks that must run again."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(("failed", "cancelled")))
                .values(
                    status="queued",
                    dead_lettered=False,
                    error=None,
                    finished_at=None,
                    merge_state=None,
                    merge_enqueued_at=None,
                    manual_retries=JobRow.manual_retries + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if _count(result) == 1:
                session.execute(
                    update(ChunkRow)
                    .where(ChunkRow.job_id == job_id, ChunkRow.status != "done")
                    .values(
                        status="pending",
                        attempts=0,
                        error=None,
                        lease_until=None,
                        retry_at=None,
                        enqueued_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                reopened = True
                events = [record_event(session, job_id, "status", now)]
            else:
                reopened = False
                events = []
        self._publish(events)
        job = self.get(job_id)
        if not reopened:
            raise Conflict(
                f"Job {job_id} is {job.status}; only failed or cancelled jobs can be retried."
            )
        return job, self.chunk_indexes(job_id, ("pending",))

    def mark_merge_queued(self, job_id: str) -> bool:
        """When every chunk was already done at retry time, the merge is all that is left."""
        with Session(self._engine) as session, session.begin():
            return _queue_merge(session, job_id, self._clock())

    # -- reconciler -----------------------------------------------------------------------

    def stale_work(self, requeue_after: float, max_retries: int) -> StaleWork:
        """Claim back work whose worker died or whose message was lost, and return it.

        Each found item's timestamp is moved forward in the same transaction, so two
        reconcilers running at once do not both send it.
        """
        now = self._clock()
        lost_before = now - timedelta(seconds=requeue_after)
        active = select(JobRow.id).where(JobRow.id == ChunkRow.job_id, JobRow.status.in_(ACTIVE))
        chunks: list[tuple[str, int]] = []
        failed: list[str] = []
        events: list[JobEvent] = []
        with Session(self._engine) as session, session.begin():
            expired = session.scalars(
                select(ChunkRow).where(
                    active.exists(),
                    or_(
                        and_(ChunkRow.status == "running", ChunkRow.lease_until < now),
                        and_(ChunkRow.status == "pending", ChunkRow.enqueued_at < lost_before),
                        and_(ChunkRow.status == "retrying", ChunkRow.retry_at < lost_before),
                    ),
                )
            ).all()
            for row in expired:
                if row.status == "running" and row.attempts > max_retries:
                    # a chunk that keeps killing its worker must not loop forever
                    row.status = "failed"
                    row.error = "its worker stopped or it overran its time limit"
                    events += self._dead_letter(
                        session,
                        row.job_id,
                        f"Chunk {row.idx} failed after {row.attempts} attempts: {row.error}",
                    )
                    failed.append(row.job_id)
                    continue
                row.status = "pending" if row.status == "running" else row.status
                row.lease_until = None
                row.enqueued_at = now
                if row.status == "retrying":
                    row.retry_at = now
                chunks.append((row.job_id, row.idx))
            merges = list(
                session.scalars(
                    select(JobRow.id).where(
                        JobRow.status.in_(ACTIVE),
                        JobRow.merge_state == "queued",
                        JobRow.merge_enqueued_at < lost_before,
                    )
                )
            )
            if merges:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(merges))
                    .values(merge_enqueued_at=now)
                    .execution_options(synchronize_session=False)
                )
        self._publish(events)
        return StaleWork(chunks, merges, failed)

    def finished_before(self, age: timedelta, limit: int) -> list[str]:
        """Ids of jobs that ended more than `age` ago, oldest first."""
        cutoff = self._clock() - age
        with Session(self._engine) as session:
            return list(
                session.scalars(
                    select(JobRow.id)
                    .where(JobRow.status.in_(TERMINAL), JobRow.finished_at < cutoff)
                    .order_by(JobRow.finished_at)
                    .limit(limit)
                )
            )

    def delete_jobs(self, job_ids: Sequence[str]) -> None:
        """Jobs with everything that refers to them: the foreign keys cascade."""
        with Session(self._engine) as session, session.begin():
            session.execute(delete(JobRow).where(JobRow.id.in_(job_ids)))

    def queued_chunks(self) -> int:
        """Chunks of active jobs waiting for a worker (queue depth)."""
        with Session(self._engine) as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(ChunkRow)
                    .join(JobRow, JobRow.id == ChunkRow.job_id)
                    .where(
                        ChunkRow.status.in_(("pending", "retrying")),
                        JobRow.status.in_(ACTIVE),
                    )
                )
                or 0
            )

    def counts(self) -> dict[str, int]:
        with Session(self._engine) as session:
            rows = session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
            return {status: int(count) for status, count in rows}

    # -- helpers --------------------------------------------------------------------------

    def _dead_letter(self, session: Session, job_id: str, error: str) -> list[JobEvent]:
        now = self._clock()
        result = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
            .values(
                status="failed",
                dead_lettered=True,
                error=error,
                finished_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return [record_event(session, job_id, "status", now)] if _count(result) else []

    def _view(self, session: Session, row: JobRow) -> JobView:
        attempts = session.scalar(
            select(func.coalesce(func.sum(ChunkRow.attempts), 0)).where(ChunkRow.job_id == row.id)
        )
        return JobView(
            id=row.id,
            status=row.status,
            characters=len(row.text),
            request=dict(row.request),
            callback_url=row.callback_url,
            priority=row.priority,
            chunks_total=row.chunks_total,
            chunks_done=row.chunks_done,
            attempts=int(attempts or 0),
            manual_retries=row.manual_retries,
            dead_lettered=row.dead_lettered,
            error=row.error,
            duration=row.duration,
            created_at=row.created_at,
            updated_at=row.updated_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


def _count(result: Any) -> int:
    return int(result.rowcount)


def _queue_merge(session: Session, job_id: str, now: datetime) -> bool:
    """Mark the merge queued once every chunk is done; True for the one caller that did."""
    result = session.execute(
        update(JobRow)
        .where(
            JobRow.id == job_id,
            JobRow.merge_state.is_(None),
            JobRow.chunks_done == JobRow.chunks_total,
            JobRow.status.in_(ACTIVE),
        )
        .values(merge_state="queued", merge_enqueued_at=now)
        .execution_options(synchronize_session=False)
    )
    return _count(result) == 1


def _chunk_view(row: ChunkRow, request: dict[str, Any] | None = None) -> ChunkView:
    return ChunkView(row.job_id, row.idx, row.text, row.status, row.attempts, request)


def _relax_durability(session: Session) -> None:
    """Chunk transitions need not wait for a disk flush on PostgreSQL.

    A server crash can lose only the last few milliseconds of them, which leaves a chunk
    claimed or pending again: the reconciler re-sends it and the idempotent task redoes it.
    Job-level states (submit, cancel, retry, success, failure) stay fully durable.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
