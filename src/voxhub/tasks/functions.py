"""The worker's task functions: chunk, merge and webhook delivery, registered on a Celery app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.exceptions import Reject
from celery.signals import worker_process_init

from voxhub.tasks.queue import CHUNK_TASK, MERGE_TASK
from voxhub.tasks.runtime import TaskRuntime
from voxhub.tasks.webhook_queue import DELIVER_TASK


def register_tasks(
    app: Celery,
    build_runtime: Callable[[], TaskRuntime],
    stopping: Callable[[], bool] = lambda: False,
) -> None:
    """The worker's tasks; what they need is built once per worker process, on first use.

    `stopping` turns true when the worker is told to stop: a running chunk then goes back to
    the queue at its next sentence, for another worker to take at once."""
    holder: list[TaskRuntime] = []
    guard = threading.Lock()

    def runtime() -> TaskRuntime:
        with guard:
            if not holder:
                holder.append(build_runtime())
            return holder[0]

    @app.task(name=CHUNK_TASK, bind=True)  # type: ignore[untyped-decorator]
    def chunk(self: Any, job_id: str, index: int) -> None:
        built = runtime()
        outcome = built.runner.run_chunk(job_id, index, stopping)
        if outcome.merge:
            built.queue.send_merge(job_id)
        if outcome.retry_in is not None:
            built.queue.send_chunk(job_id, index, outcome.characters, delay=outcome.retry_in)
        if outcome.dead:
            # on RabbitMQ the rejected message lands in the dead-letter queue
            raise Reject(f"job {job_id} chunk {index}: retries exhausted", requeue=False)

    @app.task(name=MERGE_TASK, bind=True)  # type: ignore[untyped-decorator]
    def merge(self: Any, job_id: str) -> None:
        runtime().runner.merge(job_id)

    @app.task(name=DELIVER_TASK, bind=True)  # type: ignore[untyped-decorator]
    def deliver_webhook(self: Any, delivery_id: str) -> None:
        # claims, POSTs, records, and sends itself again with a countdown when it failed
        runtime().courier.run(delivery_id)

    def preload(**_: Any) -> None:
        # each worker process loads its models before taking its first chunk
        runtime().preload()

    worker_process_init.connect(preload, weak=False)
