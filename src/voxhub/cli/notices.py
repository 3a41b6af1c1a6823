"""Warnings a service logs while a command runs, shown as the command's own messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer


class _ShowWarnings(logging.Filter):
    """Prints a WARNING record as "warning: …" on stderr and drops it; passes the others."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        typer.secho(f"warning: {record.getMessage()}", fg=typer.colors.YELLOW, err=True)
        return False


@contextmanager
def warnings_shown(logger: logging.Logger) -> Iterator[None]:
    """While the block runs, `logger`'s warnings reach the user as plain messages.

    They are advice to whoever typed the command (a log line's time and logger name would
    bury it), and they show whatever level the log is set to.
    """
    shown = _ShowWarnings()
    level = logger.level
    logger.addFilter(shown)
    if not logger.isEnabledFor(logging.WARNING):
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.removeFilter(shown)
        logger.setLevel(level)
