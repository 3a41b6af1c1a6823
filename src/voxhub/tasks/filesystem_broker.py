"""The embedded broker: kombu's filesystem transport, with messages that appear atomically."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

from celery.worker import state as worker_state
from kombu.exceptions import ChannelError
from kombu.transport import filesystem

TRANSPORT = "voxhub.tasks.filesystem_broker:Transport"
# how often a worker waiting for messages looks whether it was told to stop
_STOP_CHECK = 0.1


class Channel(filesystem.Channel):
    # kombu's own base classes disagree on this parameter's name (payload, message)
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write the message under a name consumers skip, then rename it into the queue.

        kombu writes straight into the final name, so a consumer polling at that moment
        can take an empty file, fail to decode it and stop the worker; a rename within one
        folder is atomic, so consumers see a whole message or none.
        """
        # consumers take names in sorted order: a zero-padded nanosecond clock keeps two
        # messages sent within one millisecond in the order they were sent
        name = f"{time.monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        final = os.path.join(folder, name)
        partial = os.path.join(folder, f".{name}.part")
        try:
            with open(partial, "wb") as handle:
                handle.write(json.dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to {folder!r}: {exc}") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    # kombu's base classes disagree on this signature too
    def drain_events(self, connection: Any, timeout: float | None = None) -> None:  # type: ignore[override]
        """kombu's waits out the whole `timeout` for a message (2 s in Celery's loop, which
        then waits once more before it stops): here a worker told to stop gets back to its
        loop within _STOP_CHECK, so its shutdown does not wait up to 4 s for nothing."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = _STOP_CHECK if deadline is None else deadline - time.monotonic()
            try:
                wait = max(min(left, _STOP_CHECK), 0.001)
                super().drain_events(connection, timeout=wait)  # type: ignore[no-untyped-call]
                return
            except TimeoutError:  # kombu's socket.timeout
                if _worker_stopping() or (deadline is not None and time.monotonic() >= deadline):
                    raise

    @property
    def default_connection_params(self) -> dict[str, Any]:
        # folders, not a host: kombu would warn "No hostname was supplied" on each connection
        return {}


def _worker_stopping() -> bool:
    # Celery's own flags, set by its signal handlers and by voxhub's (tasks/shutdown.py)
    return any(
        flag is not None and flag is not False
        for flag in (worker_state.should_stop, worker_state.should_terminate)
    )
