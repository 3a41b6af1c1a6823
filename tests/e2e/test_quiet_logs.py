"""What a user sees in the log of `voxhub serve` and on a local command's terminal: voxhub's
own lines, one per request, and no warning they cannot act on."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.jobstack import submit, wait_for
from tests.support.serve_process import Session, start_serve

# warnings libraries print that ask nothing of a voxhub user
NOISE = (
    "SecurityWarning",
    "superuser",
    "No hostname was supplied",
    "alembic",
    "httpx",
    "HTTP Request",
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Session]:
    session = start_serve(tmp_path)
    try:
        yield session
    finally:
        session.kill()


def test_serving_a_job_logs_no_library_chatter(served: Session) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as api:
        job = submit(api, "One job. Two sentences.", voice="espeak:en-us")
        assert wait_for(api, job["id"], timeout=60)["status"] == "succeeded"
        api.get("/v1/voices")
    log = served.tail()
    assert not [line for line in log.splitlines() if any(word in line for word in NOISE)], log
    # no banner of the embedded workers, no line per Celery task received or done
    assert "[config]" not in log and "Task voxhub" not in log and "received" not in log, log
    # one access line per request
    assert log.count('"GET /v1/voices HTTP/1.1" 200') == 1, log
    # a command talking to the server prints its answer, not httpx's line per request
    listed = subprocess.run(
        [sys.executable, "-m", "voxhub.cli", "jobs", "list", "--url", served.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "HTTP Request" not in listed.stderr and "httpx" not in listed.stderr, listed.stderr


def test_a_local_command_prints_its_result_and_one_migration_line(tmp_path: Path) -> None:
    env = {**os.environ, "VOXHUB_DATA_DIR": str(tmp_path / "home"), "VOXHUB_ENGINES__PRELOAD": "[]"}
    command = [
        sys.executable,
        "-m",
        "voxhub.cli",
        "say",
        "Hi.",
        "-o",
        "hi.wav",
        "--voice",
        "espeak:en-us",
    ]
    first = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    again = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert [line for line in first.stderr.splitlines() if line.strip()] == [
        line for line in first.stderr.splitlines() if "migrated from empty to revision" in line
    ], first.stderr
    assert again.stderr.strip() == "", again.stderr
    assert "hi.wav" in again.stdout
