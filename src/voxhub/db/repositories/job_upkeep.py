"""What the reconciler, retention and metrics read and write of jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow
from voxhub.db.repositories.events import JobEvent
from voxhub.db.repositories.job_table import JobTable, relax_durability, row_count
from voxhub.db.repositories.job_views import ACTIVE, TERMINAL, StaleWork

# how many messages the broker's queue holds (None: unknown), or how to ask it
Waiting = int | None | Callable[[], int | None]


class JobUpkeep(JobTable):
    """Lost work found again, old jobs purged, jobs counted."""

    def stale_work(
        self,
        max_retries: int,
        lost_after: float,
        requeue_after: float,
        waiting: Waiting = None,
    ) -> StaleWork:
        """Claim back work whose worker died or whose message was lost, and return it.

        - a running chunk whose lease ran out (its worker stopped renewing it);
        - a chunk waiting to retry `lost_after` past its time (its countdown message died
          with a worker);
        - queued chunks and merges the broker no longer holds: `waiting` is how many messages
          the broker's queue holds; when fewer than the queued work, the oldest queued items
          (sent at least `lost_after` ago) make up the difference. Without a count, or
          beyond it, anything queued `requeue_after` ago is sent again.

        Each found item's timestamp is moved forward in the same transaction, so two
        reconcilers running at once do not both send it.
        """
        now = self._clock()
        lost_before = now - timedelta(seconds=lost_after)
        long_before = now - timedelta(seconds=requeue_after)
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
            queued = _queued_work(session, lost_before, long_before, waiting)
            for job_id, index in queued.chunks:
                session.execute(
                    update(ChunkRow)
                    .where(ChunkRow.job_id == job_id, ChunkRow.idx == index)
                    .values(enqueued_at=now)
                    .execution_options(synchronize_session=False)
                )
            chunks += queued.chunks
            if queued.merges:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(queued.merges))
                    .values(merge_enqueued_at=now)
                    .execution_options(synchronize_session=False)
                )
        self._publish(events)
        return StaleWork(chunks, queued.merges, failed)

    def renew_lease(self, job_id: str, index: int, attempt: int, lease_seconds: float) -> bool:
        """Extend the lease of a chunk this worker runs; False when it is no longer this
        worker's (done, cancelled, or taken back after the lease ran out)."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            relax_durability(session)
            renewed = session.execute(
                update(ChunkRow)
                .where(
                    ChunkRow.job_id == job_id,
                    ChunkRow.idx == index,
                    ChunkRow.status == "running",
                    ChunkRow.attempts == attempt,
                )
                .values(lease_until=now + timedelta(seconds=lease_seconds))
                .execution_options(synchronize_session=False)
            )
            return row_count(renewed) == 1

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


@dataclass
class _Queued:
    chunks: list[tuple[str, int]]
    merges: list[str]


def _queued_work(
    session: Session, lost_before: datetime, long_before: datetime, waiting: Waiting
) -> _Queued:
    """Queued chunks and merges whose message is presumed lost, oldest first.

    Counted first, so a healthy queue costs two counts (and no question to the broker
    when nothing is queued); rows are read only for what is missing."""
    pending_chunk = and_(JobRow.status.in_(ACTIVE), ChunkRow.status == "pending")
    queued_merge = and_(JobRow.status.in_(ACTIVE), JobRow.merge_state == "queued")
    queued = int(
        session.scalar(
            select(func.count())
            .select_from(ChunkRow)
            .join(JobRow, JobRow.id == ChunkRow.job_id)
            .where(pending_chunk)
        )
        or 0
    )
    queued += int(session.scalar(select(func.count()).select_from(JobRow).where(queued_merge)) or 0)
    if not queued:
        return _Queued([], [])
    held = waiting() if callable(waiting) else waiting
    # messages the broker holds belong to the newest queued items; the rest are lost
    missing = max(queued - held, 0) if held is not None else 0
    chunk_query = (
        select(ChunkRow.job_id, ChunkRow.idx, ChunkRow.enqueued_at)
        .join(JobRow, JobRow.id == ChunkRow.job_id)
        .where(pending_chunk)
        .order_by(ChunkRow.enqueued_at, ChunkRow.job_id, ChunkRow.idx)
    )
    merge_query = (
        select(JobRow.id, JobRow.merge_enqueued_at)
        .where(queued_merge)
        .order_by(JobRow.merge_enqueued_at, JobRow.id)
    )
    items: list[tuple[datetime, tuple[str, int] | str]] = []
    if missing:
        items += [
            (sent or long_before, (job_id, index))
            for job_id, index, sent in session.execute(chunk_query.limit(missing))
        ]
        items += [
            (sent or long_before, job_id)
            for job_id, sent in session.execute(merge_query.limit(missing))
        ]
        items.sort(key=lambda item: item[0])
        items = [item for item in items[:missing] if item[0] < lost_before]
    # whatever the count says, anything queued this long is sent again
    items += [
        (sent or long_before, (job_id, index))
        for job_id, index, sent in session.execute(
            chunk_query.where(ChunkRow.enqueued_at < long_before)
        )
    ]
    items += [
        (sent or long_before, job_id)
        for job_id, sent in session.execute(
            merge_query.where(JobRow.merge_enqueued_at < long_before)
        )
    ]
    found = _Queued([], [])
    for _, item in items:
        if isinstance(item, str):
            if item not in found.merges:
                found.merges.append(item)
        elif item not in found.chunks:
            found.chunks.append(item)
    return found
