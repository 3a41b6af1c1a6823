"""What every command shares: the settings read at the entry point, and user-facing errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from voxhub.errors import ConfigurationError
from voxhub.settings import Settings


def settings_of(ctx: typer.Context) -> Settings:
    """The settings `voxhub`'s callback read, the one place they are read."""
    settings: Settings = ctx.find_root().obj
    return settings


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error the user can act on and leave with `code`."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def check_storage(settings: Settings) -> None:
    """Storage settings that cannot work stop the command before anything starts."""
    from voxhub.objects.factory import object_store

    try:
        object_store(settings)
    except ConfigurationError as exc:
        fail(exc.message)


def read_text(text: str | None, file: Path | None) -> str:
    if file is not None:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    if text is None:
        fail("give the text to speak, or -f FILE")
    return text
