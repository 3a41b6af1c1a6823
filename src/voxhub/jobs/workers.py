"""Celery worker processes: `voxhub worker` itself, and the ones `voxhub serve` starts."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from voxhub.settings import Settings

log = logging.getLogger("voxhub.jobs")


def worker_settings(settings: Settings, concurrency: int) -> Settings:
    """Split the cores between worker processes unless a thread count is set."""
    if settings.engines.threads:
        return settings
    threads = max(1, (os.cpu_count() or 1) // max(concurrency, 1))
    engines = settings.engines.model_copy(update={"threads": threads})
    return settings.model_copy(update={"engines": engines})


def run_worker(
    settings: Settings, concurrency: int, loglevel: str = "INFO", parent: int | None = None
) -> None:
    """Run a Celery worker in this process until it is told to stop (blocking).

    With `parent`, the worker stops when that process is gone, so embedded workers never
    outlive the server that started them, even when it was killed.
    """
    from voxhub.jobs.celery_app import declare_queues, make_celery, register_tasks
    from voxhub.jobs.queue import QUEUE

    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()

    settings = worker_settings(settings, concurrency)
    app = make_celery(settings)
    register_tasks(app, settings)
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
    """One `voxhub worker` subprocess with `count` worker processes, owned by `voxhub serve`."""

    def __init__(self, settings: Settings, count: int) -> None:
        self._settings = settings
        self._count = count
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
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

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown: running chunks finish; after `timeout` they are killed and the
        reconciler re-runs them later."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
