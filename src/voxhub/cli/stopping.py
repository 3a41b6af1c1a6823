"""How `voxhub serve` stops: the first SIGTERM or SIGINT drains it, a second one is final."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from voxhub.tasks.stop_signals import StopEvents, forced_after
from voxhub.tasks.workers import EmbeddedWorkers

log = logging.getLogger("voxhub")

SIGNALS = (signal.SIGTERM, signal.SIGINT)
# what a parent keeps between its children's deadline and its own: killing and reaping them
_CHILDREN_MARGIN = 0.5


def graceful_seconds(timeout: float) -> int:
    """Of the shutdown timeout, the part requests in flight may take before they get 503;
    the rest is for the application's own shutdown."""
    return max(1, int(max(timeout - 2.0, timeout / 2)))


class ServeStop:
    """The stop of the `voxhub serve` process, for every part of it.

    The first SIGTERM or SIGINT asks each part to stop gracefully at once (the API stops
    accepting and lets requests finish, the embedded workers release their chunks) and
    starts the shutdown timeout; a second one, or the timeout, kills what is left (API
    processes, workers and their pool) and exits immediately. The signal handlers only
    pass the signal on to a thread of this class, which does all that.
    """

    def __init__(self, timeout: float, workers: EmbeddedWorkers | None = None) -> None:
        self.timeout = timeout
        self._workers = workers
        self._started: float | None = None
        self._on_begin: list[Callable[[], None]] = []
        self._on_force: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._events = StopEvents()
        threading.Thread(
            target=self._events.run,
            args=(timeout, self.begin, self._force_because),
            name="serve-stop",
            daemon=True,
        ).start()

    def install(self) -> None:
        """Handle SIGTERM and SIGINT in this process (its main thread) from now on."""
        for sig in SIGNALS:
            signal.signal(sig, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self._events.handle(signum, frame)

    def on_begin(self, callback: Callable[[], None]) -> None:
        """`callback` runs (in another thread) when the stop begins, or now if it has."""
        with self._lock:
            self._on_begin.append(callback)
            begun = self._started is not None
        if begun:
            callback()

    def on_force(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._on_force.append(callback)

    def begin(self) -> None:
        """Stop gracefully (once): every part is told, the shutdown timeout starts."""
        with self._lock:
            if self._started is not None:
                return
            self._started = time.monotonic()
            callbacks = list(self._on_begin)
        # a stop that was asked for: news, not a warning
        log.info(
            "stopping: requests in flight have %d s, then get 503; job workers release "
            "their chunks (a second signal, or %.0f s, stops everything at once)",
            graceful_seconds(self.timeout),
            self.timeout,
        )
        for callback in callbacks:
            callback()
        if self._workers is not None:
            self._workers.begin_stop()

    def children_left(self) -> float:
        """Seconds the children (API processes, workers) still have to stop by themselves."""
        left = forced_after(self.timeout) - _CHILDREN_MARGIN
        with self._lock:
            started = self._started
        if started is None:
            return left
        return max(started + left - time.monotonic(), 0.0)

    def stop_workers(self) -> None:
        """Once the API has stopped: wait for the workers, within the timeout."""
        if self._workers is not None:
            self._events.send(StopEvents.REQUEST)
            self._workers.stop(self.children_left())

    def force(self) -> None:
        """Kill every child and exit now, skipping every exit handler."""
        for callback in self._on_force:
            try:
                callback()
            except Exception:  # the others must go all the same
                continue
        if self._workers is not None:
            self._workers.kill()
        os._exit(1)

    def _force_because(self, reason: str) -> None:
        log.error("stopped at once: %s", reason)
        self.force()
