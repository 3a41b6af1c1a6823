"""What the reconciler, retention and metrics read and write of jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow
from voxhub.db.repositories.events import JobEvent
from voxhub.db.repositories.job_table import JobTable
from voxhub.db.repositories.job_views import ACTIVE, TERMINAL, StaleWork


class JobUpkeep(JobTable):
    """Lost work found again, old jobs purged, jobs counted."""

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
