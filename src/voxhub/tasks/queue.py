"""Sending job work to workers; the broker carries messages, the database holds the truth."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from voxhub.services.jobs.runner import chunk_time_limit, soft_time_limit
from voxhub.settings import JobSettings

if TYPE_CHECKING:
    from celery import Celery

CHUNK_TASK = "voxhub.jobs.chunk"
MERGE_TASK = "voxhub.jobs.merge"
QUEUE = "voxhub"

log = logging.getLogger("voxhub.jobs")


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

    def waiting(self) -> int | None:
        """Messages in the job queue (not those workers hold). Declaring the queue, with the
        arguments workers declare it with, answers its length on every broker kombu speaks
        (Redis, RabbitMQ, the embedded filesystem broker) and is harmless when it exists; a
        passive declare would fail on Redis whenever the queue is empty (its key is gone)."""
        try:
            with self._app.connection_for_read() as connection:
                # one try: an unreachable broker should not hold the reconciler for long
                connection.ensure_connection(max_retries=1)
                queue = self._app.amqp.queues[QUEUE](connection.default_channel)
                declared = queue.queue_declare()
        except Exception:  # an unreachable broker: the reconciler falls back to its long bound
            log.debug("job queue length unknown", exc_info=True)
            return None
        return int(declared.message_count)
