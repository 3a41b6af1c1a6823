"""Job events pushed between processes over Redis pub/sub (the database keeps the events)."""

from __future__ import annotations

import threading
from typing import Any

from voxhub.db.repositories.events import JobEvent

CHANNEL = "voxhub:job-events"


class RedisEventPublisher:
    """A store listener: tells every API process which jobs have new events."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: Any = None
        self._guard = threading.Lock()

    def __call__(self, events: list[JobEvent]) -> None:
        if not events:
            return
        client = self._connect()
        for job_id in dict.fromkeys(event.job_id for event in events):
            client.publish(CHANNEL, job_id)

    def _connect(self) -> Any:
        # connected on first use: the worker process that publishes may fork after start-up
        with self._guard:
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(self._url, socket_timeout=2.0)
            return self._client
