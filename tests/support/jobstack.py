"""A running voxhub for job tests: the API on a real uvicorn plus a `voxhub worker` process,
on SQLite + the filesystem broker or on real database and broker servers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.support.backends import fresh_database, require_server
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.settings import Settings

TERMINAL = {"succeeded", "failed", "cancelled"}


@dataclass
class JobStack:
    """A running API (uvicorn) and a worker process on one database and broker."""

    name: str
    url: str
    env: dict[str, str]
    settings: Settings
    fault_file: Path
    worker: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        command = [sys.executable, "-m", "voxhub.cli", "worker", "--concurrency=2"]
        command.append("--loglevel=WARNING")
        # its own process group, so a test can SIGKILL the worker with all its children
        self.worker = subprocess.Popen(command, env=self.env, start_new_session=True)

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop_worker(self) -> None:
        """SIGTERM to the worker's whole group, as systemd and `docker stop` send it: it
        stops within its shutdown timeout (a second or two when idle)."""
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(self.settings.shutdown_timeout + 2)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()

    def plan_faults(self, **plan: Any) -> None:
        self.fault_file.write_text(json.dumps(plan))

    def faults(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.fault_file.read_text() or "{}")
        return data


def _settings_from(env: dict[str, str]) -> Settings:
    saved = os.environ.copy()
    os.environ.update(env)
    try:
        return Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _clear_broker(url: str) -> None:
    if url.startswith("redis"):
        import redis

        redis.Redis.from_url(url).flushdb()
    else:
        from kombu.connection import Connection

        from voxhub.tasks.celery_app import dead_letter_queue, work_queue

        with Connection(url) as connection:
            channel = connection.default_channel
            for queue in (work_queue(), dead_letter_queue()):
                bound = queue.bind(channel)
                bound.declare()
                bound.purge()


@contextmanager
def running_stack(
    name: str,
    data_dir: Path,
    database: str | None = None,
    broker: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[JobStack]:
    """The API and one worker (concurrency 2) on `database` and `broker` (embedded if None)."""
    database = require_server(database) if database else f"sqlite:///{data_dir / 'voxhub.db'}"
    if broker:
        require_server(broker)
        _clear_broker(broker)
    fresh_database(database).dispose()
    fault_file = data_dir / "faults.json"
    fault_file.write_text("{}")
    env = {
        **os.environ,
        "VOXHUB_DATA_DIR": str(data_dir),
        "VOXHUB_DATABASE_URL": database,
        "VOXHUB_JOBS__BROKER_URL": broker or "",
        "VOXHUB_ENGINES__ENABLED": '["espeak","fake"]',
        "VOXHUB_ENGINES__DEFAULT": "espeak",
        "VOXHUB_ENGINES__PRELOAD": '["espeak"]',
        "VOXHUB_ENGINES__FAULT_FILE": str(fault_file),
        "VOXHUB_JOBS__MAX_RETRIES": "2",
        "VOXHUB_JOBS__RETRY_INITIAL": "0.5",
        "VOXHUB_JOBS__RETRY_MULTIPLIER": "3",
        "VOXHUB_JOBS__TIME_LIMIT_BASE": "4",
        "VOXHUB_JOBS__TIME_LIMIT_PER_CHAR": "0.02",
        "VOXHUB_JOBS__HEARTBEAT": "0.5",
        "VOXHUB_JOBS__LEASE": "2",
        "VOXHUB_JOBS__LOST_AFTER": "2",
        "VOXHUB_JOBS__REQUEUE_AFTER": "8",
        "VOXHUB_JOBS__RECONCILE_INTERVAL": "0.5",
        "VOXHUB_JOBS__POLL_INTERVAL": "0.05",
        "VOXHUB_SHUTDOWN_TIMEOUT": "10",
        **(extra_env or {}),
    }
    settings = _settings_from(env)
    app = create_app(settings, Container.build(settings))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    job_stack = JobStack(name, f"http://127.0.0.1:{port}", env, settings, fault_file)
    job_stack.start_worker()
    try:
        yield job_stack
    finally:
        job_stack.stop_worker()
        server.should_exit = True
        thread.join(10)


def submit(api: httpx.Client, text: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/v1/tts/jobs", json={"text": text, **fields})
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    return job


def wait_for(
    api: httpx.Client, job_id: str, done: Any = None, timeout: float = 240
) -> dict[str, Any]:
    """Poll until the job is terminal (or `done(job)` holds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/v1/tts/jobs/{job_id}").json()
        if done(job) if done else job["status"] in TERMINAL:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s: {job}")
