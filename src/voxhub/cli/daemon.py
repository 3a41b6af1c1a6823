"""Run voxhub as a background service: start, stop, restart and status through a pid file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from voxhub.settings import Settings

Out = Callable[[str], None]


@dataclass(frozen=True)
class Service:
    """Where a background voxhub keeps its pid and log, and where it listens."""

    data_dir: Path
    host: str
    port: int

    @classmethod
    def of(cls, settings: Settings) -> Service:
        return cls(settings.data_dir.resolve(), settings.server.host, settings.server.port)

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "voxhub.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "voxhub.log"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def pid(self) -> int | None:
        """The pid in the pid file if that process is alive; a stale file is removed."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if _alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None


def start(service: Service, serve_args: list[str], out: Out, wait: float = 180.0) -> int:
    """Start `voxhub serve` detached; returns 0 once /health answers 200."""
    running = service.pid()
    if running is not None:
        out(f"voxhub is already running (pid {running}); use restart")
        return 1
    if not _port_free(service.host, service.port):
        out(f"port {service.port} is in use by another program")
        return 1
    service.data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "voxhub.cli", "--data-dir", str(service.data_dir), "serve"]
    command += ["--host", service.host, "--port", str(service.port), *serve_args]
    with service.log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    service.pid_file.write_text(f"{process.pid}\n")
    out(f"started voxhub (pid {process.pid}), log {service.log_file}")
    return _verify(service, process, out, wait)


def stop(service: Service, out: Out, timeout: float = 30.0) -> int:
    """SIGTERM the server, wait for it, its job workers and its port to be released."""
    pid = service.pid()
    if pid is None:
        out("voxhub is not running")
        return 0
    # only the server is signalled: it stops its API and its workers itself, within its
    # shutdown timeout (the whole group may be signalled too, as systemd does)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(pid):
        out(f"voxhub (pid {pid}) did not stop within {timeout:.0f} s; killing it")
        os.killpg(pid, signal.SIGKILL)
        while _group_alive(pid):
            time.sleep(0.1)
    # the socket lingers briefly after the process: starting again needs it free
    while not _port_free(service.host, service.port) and time.monotonic() < deadline + 10:
        time.sleep(0.2)
    service.pid_file.unlink(missing_ok=True)
    out(f"stopped voxhub (pid {pid})")
    return 0


def status(service: Service, out: Out) -> int:
    pid = service.pid()
    if pid is None:
        out("voxhub is not running")
        return 3
    try:
        response = httpx.get(f"{service.url}/health", timeout=5)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        out(f"voxhub pid {pid} is running but {service.url}/health does not answer: {exc}")
        return 1
    engines = ", ".join(
        f"{name}{'' if e['model_loaded'] else ' (not loaded)'}"
        for name, e in body["engines"].items()
    )
    out(f"voxhub pid {pid} at {service.url}: {body['status']}; engines: {engines}")
    for problem in body.get("problems", []):
        out(f"  problem: {problem}")
    return 0 if response.status_code == 200 else 1


def _verify(service: Service, process: subprocess.Popen[bytes], out: Out, wait: float) -> int:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            service.pid_file.unlink(missing_ok=True)
            out(f"voxhub exited with code {process.returncode}; see {service.log_file}")
            return 1
        try:
            if httpx.get(f"{service.url}/health", timeout=2).status_code == 200:
                out(f"voxhub is healthy at {service.url}")
                return 0
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    out(f"voxhub did not become healthy within {wait:.0f} s; see {service.log_file}")
    return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of this process counts as gone
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


def _group_alive(leader: int) -> bool:
    """Whether any process of the group the service started (server and workers) lives."""
    if _alive(leader):
        return True
    try:
        os.killpg(leader, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
