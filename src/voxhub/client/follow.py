"""Following a job's event stream across dropped connections: the state both clients share."""

from __future__ import annotations

import time

import httpx

from voxhub.client.calls import check, job_path, retry_after
from voxhub.client.errors import VoxhubConnectionError, VoxhubTimeoutError
from voxhub.client.models import JobEvent
from voxhub.client.sse import SSEDecoder

# the server heartbeats every 15 s by default: four missed ones mean the connection is dead
STREAM_READ_TIMEOUT = 60.0
# reconnection delay until the server sets one with `retry:`, doubled per failure up to a cap
DEFAULT_RETRY = 1.0
MAX_RETRY_DELAY = 30.0
# answers worth reconnecting after: the server is restarting or briefly overloaded
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class EventFollower:
    """Reads one job's events, reconnecting with Last-Event-ID so that nothing is missed.

    The clients do the I/O: they connect with `headers()` and `timeout()`, pass an error
    answer to `rejected()`, the bytes of a good one to `feed()`, and sleep for what
    `dropped()` or `ended()` returns when the connection breaks or ends before the job has.
    """

    def __init__(
        self,
        job_id: str,
        last_event_id: int | str | None = None,
        deadline: float | None = None,
        max_failures: int = 8,
        connect_timeout: float = 10.0,
    ) -> None:
        self.job_id = job_id
        self.path = f"{job_path(job_id)}/events"
        self.last_event_id = None if last_event_id is None else str(last_event_id)
        self.done = False
        self._deadline = deadline
        self._max_failures = max_failures
        self._connect_timeout = connect_timeout
        self._failures = 0
        self._retry = DEFAULT_RETRY
        self._decoder = SSEDecoder()
        self._received = False

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        return headers

    def timeout(self) -> httpx.Timeout:
        """A new connection starts here: a fresh decoder, reads bounded by the deadline."""
        self._decoder = SSEDecoder()
        self._received = False
        read = STREAM_READ_TIMEOUT
        if self._deadline is not None:
            read = min(read, self._remaining())
        return httpx.Timeout(self._connect_timeout, read=read)

    def rejected(self, response: httpx.Response) -> float:
        """An error answer (body read): raise it, or the delay before trying again."""
        if response.status_code not in RETRYABLE_STATUSES:
            check(response)
        return self.dropped(
            f"HTTP {response.status_code}", retry_after(response.headers.get("Retry-After"))
        )

    def feed(self, chunk: bytes) -> list[JobEvent]:
        """The events in `chunk`, up to and including the one that ends the job."""
        self._check_deadline()
        events: list[JobEvent] = []
        for sse in self._decoder.feed(chunk):
            event = JobEvent.parse(sse)
            events.append(event)
            if event.terminal:
                self.done = True
                break
        if self._decoder.last_event_id is not None:
            self.last_event_id = self._decoder.last_event_id
        if self._decoder.retry is not None:
            self._retry = self._decoder.retry / 1000
        if events:
            self._failures = 0
            self._received = True
        return events

    def ended(self) -> float:
        """The server closed the stream before the job's final event: the delay before
        resuming. A resumed stream that closes with nothing in it is the server saying that
        the job had already ended before the cursor; then `done` is set."""
        if not self._received and self.last_event_id is not None:
            self.done = True
            return 0.0
        return self.dropped("the stream ended before the job")

    def dropped(self, reason: str, wait: float | None = None) -> float:
        """The connection failed or ended early: seconds to wait before the next one."""
        self._failures += 1
        if self._failures > self._max_failures:
            raise VoxhubConnectionError(
                f"Lost the event stream of job {self.job_id} and could not resume it after "
                f"{self._max_failures} attempts: {reason}"
            )
        delay = min(self._retry * 2.0 ** (self._failures - 1), MAX_RETRY_DELAY)
        if wait is not None:
            delay = max(delay, wait)
        if self._deadline is not None:
            delay = min(delay, self._remaining())
        return delay

    def _remaining(self) -> float:
        assert self._deadline is not None
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise VoxhubTimeoutError(f"Job {self.job_id} did not end in the time allowed.")
        return remaining

    def _check_deadline(self) -> None:
        if self._deadline is not None:
            self._remaining()
