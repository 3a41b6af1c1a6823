"""`voxhub models prepare`: every enabled engine's model assembled, checked and loaded once."""

from __future__ import annotations

import time

import typer

from voxhub.cli.context import fail, settings_of
from voxhub.errors import VoxhubError

models_app = typer.Typer(help="The speech models of the enabled engines.", no_args_is_help=True)


@models_app.command()
def prepare(ctx: typer.Context) -> None:
    """Assemble (into VOXHUB_MODEL_CACHE), verify by SHA-256 and load every enabled engine's
    model, so a server or an image build finds them ready; exit 1 naming what failed."""
    from voxhub.engine_setup import asr_engine_pool, tts_engine_pool

    settings = settings_of(ctx)
    pools = (("tts", tts_engine_pool(settings)), ("asr", asr_engine_pool(settings)))
    failed = []
    for kind, pool in pools:
        for name in pool.enabled:
            start = time.perf_counter()
            try:
                pool.get(name)
            except VoxhubError as exc:
                failed.append(name)
                typer.secho(f"{kind} {name}: {exc.message}", fg=typer.colors.RED, err=True)
                continue
            typer.echo(f"{kind} {name}: ready ({time.perf_counter() - start:.1f} s)")
    typer.echo(f"model cache: {settings.model_cache}")
    if failed:
        fail(f"{', '.join(failed)} did not load", code=1)
