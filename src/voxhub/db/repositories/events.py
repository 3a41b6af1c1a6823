"""Job events: recorded with each state change, read back in order by streams and webhooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from voxhub.db.models import JobEventRow, JobRow

TERMINAL_STATUSES = ("succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class JobEvent:
    id: int
    job_id: str
    # "status" when the job's status changed (or a chunk will retry), "progress" per chunk
    kind: str
    status: str
    chunks_done: int
    chunks_total: int
    eta_seconds: float | None
    error: str | None
    dead_lettered: bool
    created_at: datetime
    # where the job reports back, for the webhook dispatcher; not part of the public event
    callback_url: str | None = None
    # the job's tenant, so a stream of every job shows each tenant only its own
    owner: str | None = None

    @property
    def percent(self) -> float:
        if not self.chunks_total:
            return 0.0
        return round(100.0 * self.chunks_done / self.chunks_total, 1)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "chunks_done": self.chunks_done,
            "chunks_total": self.chunks_total,
            "percent": self.percent,
            "eta_seconds": self.eta_seconds,
            "error": self.error,
            "dead_lettered": self.dead_lettered,
            "time": self.created_at.isoformat(),
        }


# called after the transaction that recorded the events committed
EventListener = Callable[[list[JobEvent]], None]


def estimate_eta(
    status: str, started_at: datetime | None, done: int, total: int, now: datetime
) -> float | None:
    """Seconds left at the observed rate; chunks run in parallel, and the rate includes that."""
    if status in TERMINAL_STATUSES or started_at is None or not done:
        return None
    elapsed = (now - started_at).total_seconds()
    if elapsed <= 0:
        return None
    return round((total - done) / (done / elapsed), 1)


def record_event(session: Session, job_id: str, kind: str, now: datetime) -> JobEvent:
    """Append the job's current state as an event, inside the caller's transaction.

    Callers update the job's row first: the row lock they hold until commit makes the
    events of one job commit in the order of their ids, which is what resuming relies on.
    """
    job = session.execute(
        select(
            JobRow.status,
            JobRow.chunks_done,
            JobRow.chunks_total,
            JobRow.started_at,
            JobRow.error,
            JobRow.dead_lettered,
            JobRow.callback_url,
            JobRow.owner,
        ).where(JobRow.id == job_id)
    ).one()
    row = JobEventRow(
        job_id=job_id,
        kind=kind,
        status=job.status,
        chunks_done=job.chunks_done,
        chunks_total=job.chunks_total,
        eta_seconds=estimate_eta(
            job.status, job.started_at, job.chunks_done, job.chunks_total, now
        ),
        error=job.error,
        dead_lettered=job.dead_lettered,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return event_from_row(row, job.callback_url, job.owner)


class EventLog:
    """Reads of the event table, for progress streams."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def after(
        self,
        cursor: int,
        job_id: str | None = None,
        limit: int = 500,
        also: tuple[int, ...] = (),
    ) -> list[JobEvent]:
        """Events with an id above `cursor` (plus the ids in `also`), oldest first."""
        with Session(self._engine) as session:
            newer = JobEventRow.id > cursor
            where = newer | JobEventRow.id.in_(also) if also else newer
            query = select(JobEventRow, JobRow.callback_url, JobRow.owner).join(
                JobRow, JobRow.id == JobEventRow.job_id
            )
            query = query.where(where)
            if job_id is not None:
                query = query.where(JobEventRow.job_id == job_id)
            rows = session.execute(query.order_by(JobEventRow.id).limit(limit)).all()
            return [event_from_row(row, callback, owner) for row, callback, owner in rows]

    def last_id(self, job_id: str | None = None) -> int:
        with Session(self._engine) as session:
            query = select(func.max(JobEventRow.id))
            if job_id is not None:
                query = query.where(JobEventRow.job_id == job_id)
            return int(session.scalar(query) or 0)


def event_from_row(
    row: JobEventRow, callback_url: str | None, owner: str | None = None
) -> JobEvent:
    """The event a stored row records, with the job's callback URL and owner."""
    return JobEvent(
        id=row.id,
        job_id=row.job_id,
        kind=row.kind,
        status=row.status,
        chunks_done=row.chunks_done,
        chunks_total=row.chunks_total,
        eta_seconds=row.eta_seconds,
        error=row.error,
        dead_lettered=row.dead_lettered,
        created_at=row.created_at,
        callback_url=callback_url,
        owner=owner,
    )
