"""Celery worker processes: `voxhub worker` itself, and the ones `voxhub serve` starts."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from celery import Celery

from voxhub.settings import Settings
from voxhub.tasks.celery_app import declare_queues, make_celery
from voxhub.tasks.functions import register_tasks
from voxhub.tasks.queue import QUEUE
from voxhub.tasks.runtime import TaskRuntime

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

    With `parent`, the worker stops when that process is gone, so embedded workers never
    outlive the server that started them, even when it was killed.
    """
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()

    settings = worker_settings(settings, concurrency)
    app = make_celery(settings)
    register_tasks(app, lambda: build_runtime(settings, app))
    declare_queues(app)
    app.worker_main(
        [
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


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    log.warning("the server that started these workers is gone; shutting down")
    os.kill(os.getpid(), signal.SIGTERM)


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
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown: running chunks finish; after `timeout` they are killed and the
        reconciler re-runs them later."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

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
                log.error(
                    "embedded workers (pid %d) exited with code %s; starting them again",
                    process.pid,
                    process.returncode,
                )
                self.restarts += 1
                self._spawn()
