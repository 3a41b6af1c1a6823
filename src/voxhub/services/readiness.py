"""Reachability of what voxhub depends on: the database, the broker, the result storage."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from voxhub.errors import VoxhubError
from voxhub.objects.base import ObjectStore


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None


def check_database(engine: Engine) -> Check:
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "unreachable" to an operator
        return Check("database", False, _ms(started), _first_line(exc))
    return Check("database", True, _ms(started))


def check_broker(url: str, folder: Path | None, timeout: float = 2.0) -> Check:
    """Connect to Redis/RabbitMQ; for the embedded broker, its folder must be writable."""
    started = time.perf_counter()
    try:
        if url.startswith("filesystem"):
            _check_writable(folder or Path("."))
        else:
            from kombu.connection import Connection

            with Connection(url, connect_timeout=timeout) as connection:  # type: ignore[no-untyped-call]
                connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # as above: report, never raise from a health check
        return Check("broker", False, _ms(started), _first_line(exc))
    return Check("broker", True, _ms(started))


def check_storage(store: ObjectStore) -> Check:
    """The object store of results and job files: the data directory, or the S3 bucket."""
    started = time.perf_counter()
    try:
        store.check()
    except Exception as exc:  # as above: report, never raise from a health check
        message = exc.message if isinstance(exc, VoxhubError) else _first_line(exc)
        return Check("storage", False, _ms(started), message)
    return Check("storage", True, _ms(started))


@dataclass(frozen=True)
class Readiness:
    """Whether a process can serve: its dependencies' checks and what is wrong, if anything."""

    checks: tuple[Check, ...]
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems

    def ok(self, name: str) -> bool:
        return all(c.ok for c in self.checks if c.name == name)


def assess(
    database: Engine,
    broker: str,
    broker_dir: Path | None,
    store: ObjectStore,
    loaded_engines: Collection[str],
    default_engine: str,
) -> Readiness:
    """Check the database, broker and storage (blocking); the default engine must be loaded."""
    checks = (check_database(database), check_broker(broker, broker_dir), check_storage(store))
    problems = [f"{c.name} unreachable: {c.error}" for c in checks if not c.ok]
    if default_engine not in loaded_engines:
        problems.insert(0, f"default engine {default_engine!r} is not loaded")
    return Readiness(checks, tuple(problems))


def _check_writable(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".health-")
    os.close(descriptor)
    os.unlink(name)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _first_line(exc: Exception) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}".strip()
