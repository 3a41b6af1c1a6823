"""Jobs and chunks as their readers see them, and the statuses they pass through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voxhub.db.models import utcnow
from voxhub.db.repositories.events import estimate_eta

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
    # 0 until a chunk starts, then 1 plus the automatic retries (`retries`)
    attempts: int
    manual_retries: int
    dead_lettered: bool
    error: str | None
    duration: float | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    # automatic retries: chunk attempts after each chunk's first (reset by a manual retry)
    retries: int = 0
    # the tenant that submitted the job (None when authentication was off)
    owner: str | None = None

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
