"""What webhook delivery needs of the task queue; the Celery queue in `tasks` is the real one."""

from __future__ import annotations

from typing import Protocol


class WebhookQueue(Protocol):
    def send(self, delivery_id: str, delay: float = 0.0) -> None: ...
