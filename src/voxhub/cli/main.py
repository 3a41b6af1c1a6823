"""The `voxhub` command: reads settings once and hands them to every command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from voxhub.cli import server, speech
from voxhub.cli.asr_client import asr_client
from voxhub.cli.bench import bench_app
from voxhub.cli.jobs import jobs_app
from voxhub.cli.keys import keys_app
from voxhub.cli.models import models_app
from voxhub.cli.transcribe import transcribe
from voxhub.logs import configure_logging
from voxhub.settings import Settings, log_options

app = typer.Typer(
    help="voxhub: self-hosted speech service.", no_args_is_help=True, add_completion=False
)


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where voxhub keeps its files (VOXHUB_DATA_DIR).")
    ] = None,
) -> None:
    # the one place settings are read; commands receive them through the context
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    configure_logging(log_options(settings))
    ctx.obj = settings


_EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
app.command()(server.serve)
app.command()(server.worker)
app.command()(server.migrate)
app.command(context_settings=_EXTRA_ARGS)(server.start)
app.command()(server.stop)
app.command(context_settings=_EXTRA_ARGS)(server.restart)
app.command()(server.status)
app.command()(speech.say)
app.command()(speech.voices)
app.command()(transcribe)
app.command("asr-client")(asr_client)
app.add_typer(jobs_app, name="jobs")
app.add_typer(bench_app, name="bench")
app.add_typer(keys_app, name="keys")
app.add_typer(models_app, name="models")


def main() -> None:
    app()
