"""The server's embedded workers come back when their process dies."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.conftest import make_settings
from voxhub.tasks.workers import EmbeddedWorkers


def test_a_killed_worker_process_is_started_again(tmp_path: Path) -> None:
    workers = EmbeddedWorkers(make_settings(tmp_path, default="espeak"), 1, check_every=0.2)
    workers.start()
    try:
        first = workers.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while workers.pid == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert workers.pid != first and workers.restarts == 1
    finally:
        workers.stop()
    replacement = workers.pid
    assert replacement is not None
    # stopped for good: no further restart, the process is gone
    time.sleep(0.5)
    assert workers.restarts == 1
    try:
        os.kill(replacement, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
