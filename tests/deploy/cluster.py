"""The cluster of compose.yaml without Docker: Debian's nginx with deploy/nginx.conf in front
of two `voxhub serve --no-workers` processes and a `voxhub worker`, on PostgreSQL + Redis."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.backends import POSTGRES, REDIS, require_server

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"
# a Redis database of its own: no other test flushes or fills it
BROKER = REDIS.rsplit("/", 1)[0] + "/13"
STOP_SECONDS = 5


def require_nginx() -> str:
    """Debian's nginx; skipped where it is missing, a failure under CI."""
    found = NGINX if os.access(NGINX, os.X_OK) else shutil.which("nginx")
    if found:
        return found
    message = f"the deployment tests need {NGINX} (apt-get install nginx-light)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def render_site(listen: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with its listen address and upstream servers replaced, nothing else."""
    text = NGINX_CONF.read_text()
    text, listens = re.subn(
        r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{listen};", text, flags=re.M
    )
    servers = iter(upstreams)
    text, replaced = re.subn(
        r"^(\s*)server api-\d+:8000 (.*);$",
        lambda m: f"{m.group(1)}server 127.0.0.1:{next(servers)} {m.group(2)};",
        text,
        flags=re.M,
    )
    assert listens == 1 and replaced == len(upstreams), "deploy/nginx.conf changed its shape"
    return text


def render_main(prefix: Path, site: Path) -> str:
    """A main configuration for a private nginx: foreground, its files under `prefix`."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # as root, the workers would drop to `nobody`, who cannot enter pytest's private tmp
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        "error_log stderr warn;\nevents { worker_connections 512; }\n"
        f"http {{\n    access_log {prefix / 'access.log'};\n{temp}\n    include {site};\n}}\n"
    )


@dataclass
class Cluster:
    url: str
    ws: str
    api_pids: list[int]
    api_ports: list[int]
    logs: Path
    env: dict[str, str]
    fault_file: Path

    def plan_faults(self, **plan: float) -> None:
        """The fake engine's fault plan, read at its every call (in every process)."""
        self.fault_file.write_text(json.dumps(plan))


def _database() -> tuple[str, str]:
    """A PostgreSQL database of its own (the admin URL, the new one's URL)."""
    admin = require_server(POSTGRES)
    name = f"voxhub_deploy_{uuid.uuid4().hex[:10]}"
    return admin, admin.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def _created(admin: str, url: str) -> Iterator[None]:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _voxhub(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "voxhub.cli", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextmanager
def _running(process: subprocess.Popen[bytes], name: str) -> Iterator[subprocess.Popen[bytes]]:
    """`process` stopped as systemd and `docker stop` stop it: SIGTERM to its group."""
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS + 5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise AssertionError(f"{name} did not stop on SIGTERM") from None


def _wait_healthy(url: str, processes: list[subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"a process exited early:\n{_tail(logs)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy:\n{_tail(logs)}")


def _tail(logs: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        for log in sorted(logs.glob("*.log"))
    )


@contextmanager
def running_cluster(base: Path) -> Iterator[Cluster]:
    nginx = require_nginx()
    require_server(BROKER)
    admin, database = _database()
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    data_dir, logs, prefix = base / "data", base / "logs", base / "nginx"
    for folder in (data_dir, logs, prefix):
        folder.mkdir()
    fault_file = base / "faults.json"
    fault_file.write_text("{}")
    env = {
        **os.environ,
        "VOXHUB_DATA_DIR": str(data_dir),
        "VOXHUB_DATABASE_URL": database,
        "VOXHUB_JOBS__BROKER_URL": BROKER,
        "VOXHUB_ENGINES__ENABLED": '["espeak","fake"]',
        "VOXHUB_ENGINES__DEFAULT": "espeak",
        "VOXHUB_ENGINES__PRELOAD": '["espeak"]',
        "VOXHUB_ENGINES__FAULT_FILE": str(fault_file),
        "VOXHUB_ASR__ENABLED": '["fake"]',
        "VOXHUB_ASR__DEFAULT": "fake",
        "VOXHUB_ASR__PRELOAD": '["fake"]',
        "VOXHUB_EVENTS__HEARTBEAT": "1",
        "VOXHUB_SHUTDOWN_TIMEOUT": str(STOP_SECONDS),
    }
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        stack.enter_context(_created(admin, database))
        # the one-shot migrate of the compose stack, before any API or worker starts
        migrate = subprocess.run(
            [sys.executable, "-m", "voxhub.cli", "migrate"], env=env, capture_output=True
        )
        assert migrate.returncode == 0, migrate.stderr.decode()
        apis = [
            stack.enter_context(
                _running(
                    _voxhub(
                        ["serve", "--no-workers", "--port", str(port)], env, logs / f"api-{n}.log"
                    ),
                    f"api-{n}",
                )
            )
            for n, port in enumerate(ports, 1)
        ]
        worker = stack.enter_context(
            _running(_voxhub(["worker", "--concurrency", "1"], env, logs / "worker.log"), "worker")
        )
        for port in ports:
            _wait_healthy(f"http://127.0.0.1:{port}/health", [*apis, worker], logs)
        listen = free_port()
        site = prefix / "voxhub.conf"
        site.write_text(render_site(listen, ports))
        main = prefix / "nginx.conf"
        main.write_text(render_main(prefix, site))
        check = subprocess.run(
            [nginx, "-t", "-p", str(prefix), "-c", str(main), "-e", "stderr"], capture_output=True
        )
        assert check.returncode == 0, check.stderr.decode()
        with (logs / "nginx.log").open("ab") as out:
            proxy = subprocess.Popen(
                [nginx, "-p", str(prefix), "-c", str(main), "-e", "stderr"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        stack.enter_context(_running(proxy, "nginx"))
        url = f"http://127.0.0.1:{listen}"
        _wait_healthy(f"{url}/health", [*apis, worker, proxy], logs)
        yield Cluster(
            url, f"ws://127.0.0.1:{listen}", [p.pid for p in apis], ports, logs, env, fault_file
        )
