"""SQLAlchemy engines per backend: SQLite (WAL, immediate writes), PostgreSQL, MySQL/MariaDB."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# bare scheme -> the driver voxhub ships with
_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


def database_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and `BEGIN IMMEDIATE` so claims never race."""
    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() != "sqlite":
        options: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 3600}
        if parsed.get_backend_name() in ("mysql", "mariadb"):
            options["isolation_level"] = "READ COMMITTED"
        return create_engine(parsed, **options)
    engine = create_engine(parsed, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy's "begin" event issue BEGIN itself instead of the driver's deferred one
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # the write lock is taken up front, so two workers claiming one chunk serialize
    # instead of failing with "database is locked" on upgrade from a read lock
    connection.exec_driver_sql("BEGIN IMMEDIATE")
