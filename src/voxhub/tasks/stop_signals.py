"""Signals turned into stop events for a thread: handlers take no lock, a thread does the work."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable
from types import FrameType

# what a process keeps of its shutdown timeout to exit before it runs out
_EXIT_MARGIN = 0.5
_STOPS = {signal.SIGTERM, signal.SIGINT}


def forced_after(timeout: float) -> float:
    """When a process still stopping is stopped by force: just before its shutdown timeout
    runs out, so that it is gone within it."""
    return max(timeout - _EXIT_MARGIN, timeout / 2)


class StopEvents:
    """Stop events, from signal handlers or other threads, for one thread to act on.

    A handler may interrupt the main thread anywhere, another handler included: one that
    took a lock the interrupted code holds would wait for ever. A byte written to a pipe
    takes none; the thread reading it does what the signal asks. An event is a signal's
    number (SIGTERM and SIGINT stop, a second one forces; `force` and `request` signals),
    or one of the two below.
    """

    REQUEST = 200  # a graceful stop that does not count as a signal
    FORCE = 201

    def __init__(
        self,
        force: frozenset[int] = frozenset(),
        request: frozenset[int] = frozenset(),
    ) -> None:
        self._force = force | {self.FORCE}
        self._request = request | {self.REQUEST}
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)

    def send(self, event: int) -> None:
        """Safe in a signal handler and in any thread."""
        # a full pipe holds enough events not read yet
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, bytes((event,)))

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """A signal handler that passes the signal on."""
        self.send(signum)

    def listen(self, signals: set[int]) -> None:
        """In the main thread: `signals` reach this pipe from the interpreter's own C handler,
        in whichever thread the kernel delivers them, even while the main thread is blocked
        where Python handlers cannot run (waiting for a pool process, say). Processes forked
        from here do not inherit it."""
        for sig in signals:
            signal.signal(sig, _passed_on)
        signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        os.register_at_fork(after_in_child=_detach)

    def run(
        self,
        timeout: float,
        begin: Callable[[], None],
        force: Callable[[str], None],
    ) -> None:
        """The thread's loop: `begin` at the first stop (or request), `force` at a second
        stop signal, a force event, or `forced_after(timeout)` seconds after the first."""
        stops = 0
        deadline: float | None = None
        while True:
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            ready, _, _ = select.select([self._read], [], [], wait)
            if not ready:
                force(f"still running {timeout:.0f} s after the stop")
                return
            for event in os.read(self._read, 64):
                if event in self._force:
                    force("told to stop at once")
                stops += event in _STOPS
                if stops > 1:
                    force("a second signal")
                if deadline is None and (event in _STOPS or event in self._request):
                    deadline = time.monotonic() + forced_after(timeout)
                    begin()


def _passed_on(signum: int, frame: FrameType | None) -> None:
    """The Python side of a signal that reaches its StopEvents through the wakeup pipe."""


def _detach() -> None:
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
