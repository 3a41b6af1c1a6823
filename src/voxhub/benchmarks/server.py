"""`voxhub serve` in a child process on a free port, for benchmarks; stopped on exit."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


class ServeProcess:
    """Runs one engine on a fresh data directory; `url` is set once /health answers 200."""

    def __init__(
        self,
        data_dir: Path,
        engine: str,
        serve_args: list[str],
        env: dict[str, str] | None = None,
        wait: float = 180.0,
    ) -> None:
        self._data_dir = data_dir
        self._serve_args = serve_args
        self._wait = wait
        self.env = {
            **os.environ,
            "VOXHUB_ENGINES__DEFAULT": engine,
            "VOXHUB_ENGINES__PRELOAD": f'["{engine}"]',
            "VOXHUB_ENGINES__ENABLED": f'["{engine}"]',
            "VOXHUB_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def voxhub(self, *args: str) -> list[str]:
        """The command line of `voxhub ARGS` on this data directory."""
        return [sys.executable, "-m", "voxhub.cli", "--data-dir", str(self._data_dir), *args]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc; NaN elsewhere)."""
        if self._process is None:
            return math.nan
        try:
            stat = Path(f"/proc/{self._process.pid}/stat").read_text()
        except OSError:
            return math.nan
        # fields after the parenthesised command name; utime and stime are the 12th and 13th
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tree_cpu_seconds(self) -> float:
        """CPU time of the server and every process it started (API workers with
        `--workers N`), so far (Linux /proc; NaN elsewhere)."""
        if self._process is None:
            return math.nan
        total, pending = 0.0, [self._process.pid]
        while pending:
            pid = pending.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                children = [
                    int(child)
                    for task in Path(f"/proc/{pid}/task").iterdir()
                    for child in (task / "children").read_text().split()
                ]
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            pending.extend(children)
        return total

    def rss_bytes(self) -> float:
        """Resident memory of the server process now (Linux /proc; NaN elsewhere)."""
        if self._process is None:
            return math.nan
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return math.nan
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) * 1024
        return math.nan

    def __enter__(self) -> ServeProcess:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        command = self.voxhub("serve", "--port", str(port), *self._serve_args)
        self._process = subprocess.Popen(command, env=self.env)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self._wait
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self._process.poll() is not None:
                raise RuntimeError("voxhub serve exited during start-up")
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"voxhub serve did not become healthy in {self._wait:.0f} s")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def reset_database(url: str) -> None:
    """Drop every table of the database at `url`, for a run that starts from nothing."""
    from sqlalchemy import MetaData

    from voxhub.db.engine import database_engine

    engine = database_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


def reachable(url: str) -> bool:
    """Whether the server of `url` accepts connections."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            return True
    except OSError:
        return False
