"""What a worker process's tasks run with, built once per process by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voxhub.services.jobs.queue import JobQueue
from voxhub.services.jobs.runner import JobRunner
from voxhub.services.webhooks.courier import Courier


@dataclass
class TaskRuntime:
    runner: JobRunner
    queue: JobQueue
    courier: Courier
    # loads the models named in settings, before the first chunk
    preload: Callable[[], None]
