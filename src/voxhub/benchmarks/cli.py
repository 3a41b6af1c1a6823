"""How long the commands that only read take, each run as a process as a user runs it."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voxhub.benchmarks.server import ServeProcess

# the commands a user types to look around; each must answer in well under a second
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("voices",),
    ("jobs", "list"),
    ("jobs", "--help"),
    ("status",),
)


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def run(repeat: int, command: str) -> None:
    """Median wall time of each command against a running server (espeak), and its ratio to
    starting the interpreter alone (`python -c pass`), measured in the same run."""
    with (
        tempfile.TemporaryDirectory() as data_dir,
        ServeProcess(Path(data_dir), "espeak", []) as server,
    ):
        env = {**os.environ, **server.env, "VOXHUB_URL": server.url, "VOXHUB_DATA_DIR": data_dir}
        bare = statistics.median(
            _seconds([sys.executable, "-c", "pass"], env) for _ in range(repeat)
        )
        print(f"# {command}  ({os.cpu_count()} cores, median of {repeat} runs)")
        print(f"python -c pass: {bare * 1000:.0f} ms")
        print("| command | median | vs python -c pass |")
        print("|---|---|---|")
        for args in COMMANDS:
            median = statistics.median(_seconds(server.voxhub(*args), env) for _ in range(repeat))
            print(f"| voxhub {' '.join(args)} | {median * 1000:.0f} ms | {median / bare:.1f}× |")
