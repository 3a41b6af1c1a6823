"""Bring a database to the latest schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("voxhub.db")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to `revision`; one log line when the schema changed, none when it was current."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = current(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    after = current(engine)
    if after != before:
        log.info(
            "database %s migrated from %s to revision %s",
            engine.url.render_as_string(hide_password=True),
            f"revision {before}" if before else "empty",
            after,
        )


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
