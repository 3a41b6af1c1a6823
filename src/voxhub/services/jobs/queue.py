"""What job use-cases need of the task queue; the Celery queue in `tasks` is the real one."""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    def send_chunk(
        self, job_id: str, index: int, characters: int, delay: float = 0.0, priority: int = 5
    ) -> None: ...

    def send_merge(self, job_id: str) -> None: ...

    def waiting(self) -> int | None:
        """Messages the broker holds in the job queue now; None when it cannot tell."""
        ...
