"""Job and chunk transitions: each one conditional UPDATE, checked by its row count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, true, update
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow
from voxhub.db.repositories.events import JobEvent, record_event
from voxhub.db.repositories.job_table import (
    JobTable,
    chunk_view,
    queue_merge,
    relax_durability,
    row_count,
)
from voxhub.db.repositories.job_views import ACTIVE, ChunkView, JobView
from voxhub.errors import Conflict


class JobTransitions(JobTable):
    """What submitting, working on, cancelling and retrying a job write."""

    def create(
        self,
        job_id: str,
        text: str,
        request: dict[str, Any],
        chunks: Sequence[str],
        callback_url: str | None,
        priority: int,
        owner: str | None = None,
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
                    owner=owner,
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

    def claim_chunk(self, job_id: str, index: int, lease_seconds: float) -> ChunkView | None:
        """Take a chunk for this worker; None when it is done, taken, or its job stopped."""
        now = self._clock()
        active_job = select(JobRow.id).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
        with Session(self._engine) as session, session.begin():
            relax_durability(session)
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
            if row_count(claimed) != 1:
                return None
            started = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(("queued", "retrying")))
                .values(status="running", started_at=func.coalesce(JobRow.started_at, now))
                .execution_options(synchronize_session=False)
            )
            events = [record_event(session, job_id, "status", now)] if row_count(started) else []
            row = session.get(ChunkRow, (job_id, index))
            request = session.scalar(select(JobRow.request).where(JobRow.id == job_id))
            assert row is not None and request is not None
            view = chunk_view(row, request)
        self._publish(events)
        return view

    def complete_chunk(self, job_id: str, index: int, duration: float) -> bool:
        """Record a finished chunk; True when this call finished the last one (merge now)."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            relax_durability(session)
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
            if row_count(finished) == 1:
                # only the transition to done counts, so a redelivery never counts twice
                session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id)
                    .values(chunks_done=JobRow.chunks_done + 1, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                events.append(record_event(session, job_id, "progress", now))
            merge = queue_merge(session, job_id, now)
        self._publish(events)
        return merge

    def release_chunk(self, job_id: str, index: int, attempt: int | None = None) -> None:
        """Give a chunk back untouched (its job was cancelled while it ran); with `attempt`,
        only while that attempt still holds it."""
        held = ChunkRow.attempts == attempt if attempt is not None else true()
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(ChunkRow)
                .where(
                    ChunkRow.job_id == job_id,
                    ChunkRow.idx == index,
                    ChunkRow.status == "running",
                    held,
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
                if row_count(retrying):
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
            finished = row_count(result) == 1
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
            changed = row_count(result) == 1
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
            if row_count(result) == 1:
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
            return queue_merge(session, job_id, self._clock())
