"""Sending job work to workers; the broker carries messages, the database holds the truth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxhub.services.jobs.runner import chunk_time_limit, soft_time_limit
from voxhub.settings import JobSettings

if TYPE_CHECKING:
    from celery import Celery

CHUNK_TASK = "voxhub.jobs.chunk"
MERGE_TASK = "voxhub.jobs.merge"
QUEUE = "voxhub"


class CeleryJobQueue:
    """Sends tasks by name, so the API process never imports what workers run."""

    def __init__(self, app: Celery, settings: JobSettings) -> None:
        self._app = app
        self._settings = settings

    def send_chunk(
        self, job_id: str, index: int, characters: int, delay: float = 0.0, priority: int = 5
    ) -> None:
        hard = chunk_time_limit(self._settings, characters)
        self._app.send_task(
            CHUNK_TASK,
            args=(job_id, index),
            queue=QUEUE,
            countdown=delay or None,
            time_limit=hard,
            soft_time_limit=soft_time_limit(hard),
            priority=priority,
        )

    def send_merge(self, job_id: str) -> None:
        self._app.send_task(MERGE_TASK, args=(job_id,), queue=QUEUE, priority=9)
