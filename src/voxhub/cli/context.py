"""What every command shares: the settings read at the entry point, and user-facing errors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from voxhub.errors import ConfigurationError
from voxhub.settings import Settings


def settings_of(ctx: typer.Context) -> Settings:
    """The settings `voxhub`'s callback read, the one place they are read."""
    settings: Settings = ctx.find_root().obj
    return settings


def fail(message: str) -> typer.Exit:
    """Print an error the user can act on; raise what this returns (exit code 2)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def check_storage(settings: Settings) -> None:
    """Storage settings that cannot work stop the command before anything starts."""
    from voxhub.objects.factory import object_store

    try:
        object_store(settings)
    except ConfigurationError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


def read_text(text: str | None, file: Path | None) -> str:
    if file is not None:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    if text is None:
        typer.secho("error: give the text to speak, or -f FILE", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    return text
