"""Celery worker processes: `voxhub worker` itself, and the ones `voxhub serve` starts."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import worker_process_init

from voxhub.settings import Settings
from voxhub.tasks.celery_app import declare_queues, make_celery
from voxhub.tasks.functions import register_tasks
from voxhub.tasks.queue import QUEUE
from voxhub.tasks.runtime import TaskRuntime
from voxhub.tasks.shutdown import (
    STOP_REQUEST,
    StopFlag,
    WorkerStop,
    protect_pool_process,
    stoppable_worker,
)

# builds a worker process's runtime from its settings and Celery app (the composition root's)
RuntimeFactory = Callable[[Settings, Celery], TaskRuntime]

log = logging.getLogger("voxhub.jobs")


def worker_settings(settings: Settings, concurrency: int) -> Settings:
    """Split the cores between worker processes unless a thread count is set."""
    if settings.engines.threads:
        return settings
    threads = max(1, (os.cpu_count() or 1) // max(concurrency, 1))
    engines = settings.engines.model_copy(update={"threads": threads})
    return settings.model_copy(update={"engines": engines})


def run_worker(
    settings: Settings,
    concurrency: int,
    build_runtime: RuntimeFactory,
    loglevel: str = "INFO",
    parent: int | None = None,
) -> None:
    """Run a Celery worker in this process until it is told to stop (blocking).

    SIGTERM or SIGINT stops it within `settings.shutdown_timeout` (see `WorkerStop`). With
    `parent`, it stops the same way when that process is gone, so embedded workers never
    outlive the server that started them, even when it was killed.
    """
    flag = StopFlag()
    stop = WorkerStop(flag, settings.shutdown_timeout)
    if parent is not None:
        threading.Thread(target=_stop_without, args=(parent, stop), daemon=True).start()

    settings = worker_settings(settings, concurrency)
    app = make_celery(settings)
    app.Worker = stoppable_worker(app.Worker, stop)
    # before the models load in each pool process: from then on the signals are ignored there
    worker_process_init.connect(protect_pool_process, weak=False)
    register_tasks(app, lambda: build_runtime(settings, app), flag.is_set)
    declare_queues(app)
    # Celery warns at every start as root because a pickled message would run code as root;
    # voxhub's workers accept JSON only, so there is nothing for the user to change
    if "pickle" not in app.conf.accept_content:
        warnings.filterwarnings("ignore", category=SecurityWarning)
    # the banner of workers `voxhub serve` starts would land in the server's log at every
    # start; `voxhub worker` run by an operator keeps it
    banner = [] if parent is None else ["--quiet"]
    app.worker_main(
        [
            *banner,
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={QUEUE}",
            f"--loglevel={loglevel}",
            f"--hostname=voxhub-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
    )
    stop.exit()


def _stop_without(parent: int, stop: WorkerStop) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    log.warning("the server that started these workers is gone; shutting down")
    stop.request_stop()


class EmbeddedWorkers:
    """One `voxhub worker` subprocess with `count` worker processes, owned by `voxhub serve`.

    A watcher thread starts the subprocess again if it exits while the server runs (killed,
    out of memory), so accepted jobs never wait for workers that are gone; the reconciler
    then re-sends what the dead one held.
    """

    def __init__(self, settings: Settings, count: int, check_every: float = 1.0) -> None:
        self._settings = settings
        self._count = count
        self._check_every = check_every
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self.restarts = 0

    def start(self) -> None:
        if self._stopping.is_set():
            return  # the server was told to stop while it started
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def begin_stop(self) -> None:
        """Ask the workers to stop gracefully, and not to be started again; returns at once.
        Not a signal they count: a SIGTERM sent to the whole process group and this request
        together are still one stop, not a forced one."""
        self._stopping.set()
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, STOP_REQUEST)

    def stop(self, timeout: float | None = None) -> None:
        """Stop gracefully: running chunks go back to the queue at their next sentence and
        the workers exit; past `timeout` (the shutdown timeout) they are killed."""
        deadline = time.monotonic() + (
            self._settings.shutdown_timeout if timeout is None else timeout
        )
        self.begin_stop()
        if self._watcher is not None:
            self._watcher.join()
        process = self._process
        if process is None or process.poll() is not None:
            return
        try:
            process.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            log.error("embedded workers (pid %d) did not stop in time; killing them", process.pid)
            self.kill()

    def kill(self, grace: float = 0.5) -> None:
        """Stop now: SIGQUIT has the workers kill their pool and exit; SIGKILL after `grace`."""
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        try:
            os.kill(process.pid, signal.SIGQUIT)
            process.wait(grace)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            process.kill()
            # bounded: what is not reaped now goes to init
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(grace)

    def _spawn(self) -> None:
        command = [
            sys.executable,
            "-m",
            "voxhub.cli",
            "--data-dir",
            str(self._settings.data_dir),
            "worker",
            f"--concurrency={self._count}",
            f"--parent={os.getpid()}",
        ]
        self._process = subprocess.Popen(command)
        log.info("started %d embedded workers (pid %d)", self._count, self._process.pid)

    def _watch(self) -> None:
        while not self._stopping.wait(self._check_every):
            process = self._process
            if process is not None and process.poll() is not None:
                if self._stopping.is_set():
                    break  # it exited because the server stops: no new one
                log.error(
                    "embedded workers (pid %d) exited with code %s; starting them again",
                    process.pid,
                    process.returncode,
                )
                self.restarts += 1
                self._spawn()
