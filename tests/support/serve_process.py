"""`voxhub serve` as a real process group for end-to-end tests: started on the embedded
defaults with espeak, its processes read from /proc, its log kept in a file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.jobstack import submit, wait_for

# the shutdown timeout these servers run with, in seconds
TIMEOUT = 5.0


@dataclass(frozen=True)
class Proc:
    pid: int
    state: str
    command: str


@dataclass
class Session:
    """A process started in a session of its own, with everything it starts."""

    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""
    started: list[Proc] = field(default_factory=list)

    def processes(self) -> list[Proc]:
        """Every process of the session, zombies included, from /proc."""
        self.process.poll()  # the leader is ours to reap
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == self.process.pid:
                found.append(Proc(int(entry.name), fields[0], command.strip()))
        return found

    def signal(self, sig: signal.Signals, group: bool) -> None:
        if group:
            os.killpg(self.process.pid, sig)
        else:
            os.kill(self.process.pid, sig)

    def wait_gone(self, limit: float) -> float:
        """Seconds until no process of the session is left, failing past `limit`."""
        start = time.monotonic()
        while self.processes():
            elapsed = time.monotonic() - start
            if elapsed > limit:
                left = "\n".join(map(str, self.processes()))
                raise AssertionError(f"still there after {elapsed:.1f} s:\n{left}\n{self.tail()}")
            time.sleep(0.02)
        return time.monotonic() - start

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""

    def kill(self) -> None:
        if self.processes():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    fault_file = data_dir / "faults.json"
    if not fault_file.exists():
        fault_file.write_text("{}")
    env = {
        **os.environ,
        "VOXHUB_ENGINES__ENABLED": '["espeak","fake"]',
        "VOXHUB_ENGINES__DEFAULT": "espeak",
        "VOXHUB_ENGINES__PRELOAD": '["espeak"]',
        "VOXHUB_ENGINES__FAULT_FILE": str(fault_file),
        "VOXHUB_SHUTDOWN_TIMEOUT": str(TIMEOUT),
    }
    env.update({f"VOXHUB_{name}": value for name, value in extra.items()})
    for name in ("VOXHUB_DATABASE_URL", "VOXHUB_JOBS__BROKER_URL"):
        env.pop(name, None)  # the embedded stack
    return env


def plan_faults(data_dir: Path, **plan: Any) -> None:
    (data_dir / "faults.json").write_text(json.dumps(plan))


def start_serve(data_dir: Path, *args: str, **extra: str) -> Session:
    """`voxhub serve` on the embedded defaults, its job workers ready (a first job done)."""
    port = free_port()
    log = data_dir / "serve.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "voxhub.cli", "--data-dir", str(data_dir), "serve", *args],
            env=environment(data_dir, SERVER__PORT=str(port), **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    session = Session(process, log, f"http://127.0.0.1:{port}")
    try:
        with httpx.Client(base_url=session.url, timeout=10) as api:
            _wait_healthy(session, api)
            if "--no-workers" not in args:
                job = submit(api, "Ready.", voice="espeak:en-us")
                assert wait_for(api, job["id"], timeout=60)["status"] == "succeeded"
    except BaseException:
        session.kill()
        raise
    session.started = session.processes()
    return session


def _wait_healthy(session: Session, api: httpx.Client) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert session.process.poll() is None, session.tail()
        try:
            if api.get("/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not healthy in time:\n{session.tail()}")
