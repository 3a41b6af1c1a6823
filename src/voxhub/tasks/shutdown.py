"""How a worker stops: its main process decides, the pool releases its chunks and closes."""

from __future__ import annotations

import logging
import mmap
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from celery.worker import state as celery_state

from voxhub.tasks.stop_signals import StopEvents

log = logging.getLogger("voxhub.jobs")

# the graceful stop of a first SIGTERM, without counting as a signal: `voxhub serve` sends it
# to its workers, which may already have had the SIGTERM sent to the whole process group
STOP_REQUEST = signal.SIGUSR2


def reap(pids: list[int], within: float = 1.0) -> None:
    """Wait (a bounded time) for killed children, so that none is left defunct."""
    deadline = time.monotonic() + within
    left = set(pids)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not ours, or reaped already
                done = pid
            if done:
                left.discard(pid)
        if left:
            time.sleep(0.01)


class StopFlag:
    """One byte of memory shared with the pool processes forked after it was made: the main
    process sets it, the chunks running in the pool see it between sentences."""

    def __init__(self) -> None:
        self._memory = mmap.mmap(-1, 1)  # anonymous and shared: forked processes see writes

    def set(self) -> None:
        self._memory[0] = 1

    def is_set(self) -> bool:
        return self._memory[0] == 1


def protect_pool_process(**_: Any) -> None:
    """In each pool process (worker_process_init): SIGTERM and SIGINT are the main process's.

    A pool process killed by the group's SIGTERM can die holding the pool's shared queue
    lock, and the main process then hangs in its exit for ever (while the pool starts new
    processes meanwhile). Instead it finishes or releases its chunk, told by the StopFlag,
    and exits when the main process closes the pool; Celery has the kernel kill it when the
    main process dies. Ignored here, billiard leaves the signals ignored after this hook.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class WorkerStop:
    """The stop of a worker's main process.

    The first SIGTERM or SIGINT (or STOP_REQUEST, or `request_stop()`) sets the StopFlag, so
    running chunks go back to the queue at their next sentence, and starts Celery's warm
    shutdown, which lets them return and closes the pool. A second SIGTERM or SIGINT, a
    SIGQUIT, or the shutdown timeout kill the pool processes and exit at once: what they
    held comes back when its lease runs out.
    """

    def __init__(self, flag: StopFlag, timeout: float) -> None:
        self._flag = flag
        self._worker: Any = None
        self._events = StopEvents(
            force=frozenset({signal.SIGQUIT}), request=frozenset({STOP_REQUEST})
        )
        threading.Thread(
            target=self._events.run,
            args=(timeout, self._begin, self._force_because),
            name="worker-stop",
            daemon=True,
        ).start()

    def install(self, worker: Any) -> None:
        """Take SIGTERM, SIGINT, SIGQUIT and STOP_REQUEST over from Celery's handlers."""
        self._worker = worker
        self._events.listen({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, STOP_REQUEST})

    def request_stop(self) -> None:
        """Begin the graceful stop, not counted as a signal; from any thread."""
        self._events.send(StopEvents.REQUEST)

    def exit(self) -> None:
        """Once Celery's worker has returned, its pool closed: exit now, with its exit code.

        Not through the interpreter's exit: billiard's exit handlers can wait for ever there
        on the pool's queue lock, when a pool process died holding it.
        """
        code = getattr(self._worker, "exitcode", None) or 0
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)

    def force(self) -> None:
        """Kill the pool processes and exit now, skipping every exit handler."""
        children = _children()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        reap(children)
        os._exit(1)

    def _begin(self) -> None:
        self._flag.set()
        # what Celery's own SIGTERM handler does: its consumer loop sees it and stops
        celery_state.should_stop = 0
        # a stop that was asked for: news, not a warning
        log.info(
            "worker stopping: running chunks go back to the queue at their next sentence "
            "(a second signal stops it at once)"
        )

    def _force_because(self, reason: str) -> None:
        log.error("worker stopped at once: %s", reason)
        self.force()


def stoppable_worker(base: Any, stop: WorkerStop) -> Any:
    """Celery's worker program (`app.Worker`) with `stop` taking the signals over once
    Celery has installed its own."""

    class StoppableWorker(base):  # type: ignore[misc]
        def install_platform_tweaks(self, worker: Any) -> None:
            super().install_platform_tweaks(worker)
            stop.install(worker)

    return StoppableWorker


def _children() -> list[int]:
    """This process's children (the pool), from /proc; elsewhere none are found, and the
    pool processes die with their parent all the same (Celery asks the kernel to)."""
    pids: list[int] = []
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return pids
    for task in tasks.iterdir():
        try:
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return pids
