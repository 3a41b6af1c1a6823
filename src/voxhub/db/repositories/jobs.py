"""The job repository: reads of jobs and chunks, with transitions and upkeep mixed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxhub.db.models import ChunkRow, JobRow
from voxhub.db.repositories.job_table import chunk_view
from voxhub.db.repositories.job_transitions import JobTransitions
from voxhub.db.repositories.job_upkeep import JobUpkeep
from voxhub.db.repositories.job_views import ACTIVE, ChunkView, JobView
from voxhub.errors import JobNotFound


class JobStore(JobTransitions, JobUpkeep):
    """All reads and writes of jobs; safe to use from many processes at once."""

    def find(
        self,
        status: str | Sequence[str] | None,
        limit: int,
        offset: int,
        owner: str | None = None,
    ) -> tuple[list[JobView], int]:
        """Newest first, of one owner when given; also the total count for pagination."""
        with Session(self._engine) as session:
            query = select(JobRow)
            count = select(func.count()).select_from(JobRow)
            if owner is not None:
                query = query.where(JobRow.owner == owner)
                count = count.where(JobRow.owner == owner)
            if status:
                statuses = [status] if isinstance(status, str) else list(status)
                query = query.where(JobRow.status.in_(statuses))
                count = count.where(JobRow.status.in_(statuses))
            rows = session.scalars(
                query.order_by(JobRow.created_at.desc(), JobRow.id).limit(limit).offset(offset)
            ).all()
            return [self._view(session, row) for row in rows], int(session.scalar(count) or 0)

    def active_count(self, owner: str) -> int:
        """Jobs of `owner` that are queued, running or retrying."""
        query = (
            select(func.count())
            .select_from(JobRow)
            .where(JobRow.owner == owner, JobRow.status.in_(ACTIVE))
        )
        with Session(self._engine) as session:
            return int(session.scalar(query) or 0)

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
            return chunk_view(row)

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
