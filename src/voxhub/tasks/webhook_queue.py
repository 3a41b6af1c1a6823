"""Sending delivery tasks to workers; the delivery table says what is due, the broker carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxhub.tasks.queue import QUEUE

if TYPE_CHECKING:
    from celery import Celery

DELIVER_TASK = "voxhub.webhooks.deliver"


class CeleryWebhookQueue:
    """On the jobs' queue, ahead of chunks: a callback is a short POST that someone awaits."""

    def __init__(self, app: Celery, time_limit: float) -> None:
        self._app = app
        self._time_limit = time_limit

    def send(self, delivery_id: str, delay: float = 0.0) -> None:
        self._app.send_task(
            DELIVER_TASK,
            args=(delivery_id,),
            queue=QUEUE,
            countdown=delay or None,
            time_limit=self._time_limit,
            priority=9,
        )
