"""start / status / restart / stop through the pid file, as operators run them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx


def _voxhub(data_dir: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VOXHUB_ENGINES__DEFAULT": "espeak",
        "VOXHUB_ENGINES__PRELOAD": '["espeak"]',
        "VOXHUB_ENGINES__ENABLED": '["espeak"]',
        "VOXHUB_SERVER__PORT": str(port),
        # the GLM-TTS names work too
        "SHORT_TEXT_CONCURRENCY": "3",
    }
    command = [sys.executable, "-m", "voxhub.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_start_status_restart_stop(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = _voxhub(tmp_path, port, "start", "--no-workers")
    assert started.returncode == 0, started.stdout + started.stderr
    assert "healthy" in started.stdout
    pid = int((tmp_path / "voxhub.pid").read_text())
    again = _voxhub(tmp_path, port, "start", "--no-workers")
    assert again.returncode == 1 and "already running" in again.stdout

    status = _voxhub(tmp_path, port, "status")
    assert (
        status.returncode == 0 and f"pid {pid}" in status.stdout and ": healthy;" in status.stdout
    )
    stats = httpx.get(f"http://127.0.0.1:{port}/v1/stats").json()
    assert stats["admission"]["short"]["limit"] == 3

    restarted = _voxhub(tmp_path, port, "restart", "--no-workers")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    new_pid = int((tmp_path / "voxhub.pid").read_text())
    assert new_pid != pid and f"stopped voxhub (pid {pid})" in restarted.stdout

    stopped = _voxhub(tmp_path, port, "stop")
    assert stopped.returncode == 0 and not (tmp_path / "voxhub.pid").exists()
    assert _voxhub(tmp_path, port, "status").returncode == 3
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # the port was released
