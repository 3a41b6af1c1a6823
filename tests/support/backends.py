"""Real servers for service tests: skipped locally when absent, a failure under CI."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, MetaData

from voxhub.db.engine import database_engine
from voxhub.db.migrate import upgrade

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB = "mysql://root@127.0.0.1:3306/test"
REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def require_server(url: str) -> str:
    """`url` when its server answers; otherwise skip, or fail when CI is set."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    try:
        with socket.create_connection((host, port or 0), timeout=2):
            return url
    except OSError as exc:
        message = f"{parts.scheme} server at {host}:{port} is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def fresh_database(url: str) -> Engine:
    """An engine on an empty, migrated database (every voxhub table dropped first)."""
    engine = database_engine(url)
    if engine.dialect.name != "sqlite":
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    upgrade(engine)
    return engine
