"""What every part of the job repository shares: the engine, event listeners, row views."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select, text, update
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow, utcnow
from voxhub.db.repositories.events import EventListener, JobEvent, record_event
from voxhub.db.repositories.job_views import ACTIVE, ChunkView, JobView
from voxhub.errors import JobNotFound

log = logging.getLogger("voxhub.jobs")


class JobTable:
    """The job and chunk tables of one database; safe to use from many processes at once."""

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

    def get(self, job_id: str) -> JobView:
        with Session(self._engine) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise JobNotFound(f"No job {job_id!r}; list your jobs with GET /v1/tts/jobs.")
            return self._view(session, row)

    def chunk_indexes(self, job_id: str, statuses: Sequence[str]) -> list[int]:
        with Session(self._engine) as session:
            return list(
                session.scalars(
                    select(ChunkRow.idx)
                    .where(ChunkRow.job_id == job_id, ChunkRow.status.in_(statuses))
                    .order_by(ChunkRow.idx)
                )
            )

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
        return [record_event(session, job_id, "status", now)] if row_count(result) else []

    def _view(self, session: Session, row: JobRow) -> JobView:
        started, retries = session.execute(
            select(
                func.coalesce(func.max(ChunkRow.attempts), 0),
                # every attempt of a chunk after its first
                func.coalesce(
                    func.sum(case((ChunkRow.attempts > 1, ChunkRow.attempts - 1), else_=0)), 0
                ),
            ).where(ChunkRow.job_id == row.id)
        ).one()
        # the job's attempts: its first run and each automatic retry of one of its chunks
        # (not the sum over chunks, which a three-chunk job that never retried puts at 3)
        attempts = 1 + int(retries or 0) if started else 0
        return JobView(
            id=row.id,
            status=row.status,
            characters=len(row.text),
            request=dict(row.request),
            callback_url=row.callback_url,
            priority=row.priority,
            chunks_total=row.chunks_total,
            chunks_done=row.chunks_done,
            attempts=attempts,
            retries=int(retries or 0),
            manual_retries=row.manual_retries,
            dead_lettered=row.dead_lettered,
            error=row.error,
            duration=row.duration,
            created_at=row.created_at,
            updated_at=row.updated_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            owner=row.owner,
        )


def row_count(result: Any) -> int:
    return int(result.rowcount)


def queue_merge(session: Session, job_id: str, now: datetime) -> bool:
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
    return row_count(result) == 1


def chunk_view(row: ChunkRow, request: dict[str, Any] | None = None) -> ChunkView:
    return ChunkView(row.job_id, row.idx, row.text, row.status, row.attempts, request)


def relax_durability(session: Session) -> None:
    """Chunk transitions need not wait for a disk flush on PostgreSQL.

    A server crash can lose only the last few milliseconds of them, which leaves a chunk
    claimed or pending again: the reconciler re-sends it and the idempotent task redoes it.
    Job-level states (submit, cancel, retry, success, failure) stay fully durable.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
