"""The `voxhub` command: serve the API, speak text locally, list voices."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from voxhub.cli_asr import transcribe
from voxhub.cli_asr_client import asr_client
from voxhub.cli_jobs import jobs_app
from voxhub.logs import configure_logging
from voxhub.settings import Settings, log_options

app = typer.Typer(
    help="voxhub: self-hosted speech service.", no_args_is_help=True, add_completion=False
)


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


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


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (VOXHUB_SERVER__HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (VOXHUB_SERVER__PORT).")] = None,
    job_workers: Annotated[
        int | None,
        typer.Option(
            "--job-workers", min=0, help="Embedded job worker processes (VOXHUB_JOBS__WORKERS)."
        ),
    ] = None,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="Run the API alone; workers run elsewhere.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="API processes (VOXHUB_SERVER__WORKERS, or WORKERS)."
        ),
    ] = None,
) -> None:
    """Run the HTTP API on the embedded defaults (everything under the data directory).

    With the embedded broker it also starts the job workers, unless --no-workers.
    """
    import uvicorn

    from voxhub.api.app import create_app, metrics_dir
    from voxhub.jobs.workers import EmbeddedWorkers

    settings = _settings(ctx)
    overrides = {"host": host, "port": port, "workers": workers}
    server = settings.server.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    settings = settings.model_copy(update={"server": server})
    _check_storage(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    count = settings.jobs.workers if job_workers is None else job_workers
    job_workers_process = EmbeddedWorkers(settings, count) if count and not no_workers else None
    if job_workers_process:
        _migrate(settings)
        job_workers_process.start()
    try:
        if server.workers > 1:
            # each API process builds its own app from the environment: pass the data
            # directory chosen here down to them the same way, and the directory where
            # they pool their metrics (prometheus_client reads it when first imported)
            os.environ["VOXHUB_DATA_DIR"] = str(settings.data_dir)
            os.environ["VOXHUB_SERVER__WORKERS"] = str(server.workers)
            shared = metrics_dir(settings)
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
        uvicorn.run(
            "voxhub.api.app:app_from_environment" if server.workers > 1 else create_app(settings),
            factory=server.workers > 1,
            workers=server.workers,
            host=server.host,
            port=server.port,
            log_level=settings.log_level.lower(),
            # logging is already set up: uvicorn's lines go through it (request ids)
            log_config=None,
            # protocol pings keep real-time recognition connections alive through proxies
            ws_ping_interval=settings.asr.ping_interval,
            ws_ping_timeout=settings.asr.ping_interval,
        )
    finally:
        if job_workers_process:
            job_workers_process.stop()


@app.command()
def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Worker processes, each with its own model.")
    ] = 2,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
    parent: Annotated[
        int | None, typer.Option(hidden=True, help="Stop when this process is gone.")
    ] = None,
) -> None:
    """Run job workers against the configured broker (VOXHUB_JOBS__BROKER_URL)."""
    from voxhub.jobs.workers import run_worker

    _check_storage(_settings(ctx))
    run_worker(_settings(ctx), concurrency, loglevel, parent)


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema (VOXHUB_DATABASE_URL)."""
    revision = _migrate(_settings(ctx))
    typer.echo(f"database at revision {revision}")


def _migrate(settings: Settings) -> str | None:
    from voxhub.db.engine import database_engine
    from voxhub.db.migrate import current, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = database_engine(settings.database)
    upgrade(engine)
    return current(engine)


@app.command()
def say(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Text to speak; use -f for a file.")] = None,
    file: Annotated[
        Path | None, typer.Option("-f", "--file", help="Read the text from a file ('-' for stdin).")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Audio file to write.")] = Path(
        "speech.wav"
    ),
    voice: Annotated[
        str | None, typer.Option(help="Voice id, e.g. kokoro:jm_kumo or espeak:cmn.")
    ] = None,
    language: Annotated[str | None, typer.Option(help="zh or en; detected if omitted.")] = None,
    audio_format: Annotated[
        str | None,
        typer.Option("--format", help="wav, mp3, opus, flac or pcm; from -o if omitted."),
    ] = None,
    speed: Annotated[float, typer.Option(min=0.5, max=2.0)] = 1.0,
    sample_rate: Annotated[int | None, typer.Option(help="Output sample rate.")] = None,
    srt: Annotated[Path | None, typer.Option(help="Also write SRT subtitles here.")] = None,
    vtt: Annotated[Path | None, typer.Option(help="Also write WebVTT subtitles here.")] = None,
) -> None:
    """Speak text with a local engine (no server) and write audio and subtitles."""
    from voxhub.services.local import speak_to_files

    content = _read_text(text, file)
    fmt = audio_format or (output.suffix.lstrip(".") or "wav")
    try:
        summary = speak_to_files(
            _settings(ctx),
            content,
            output=output,
            voice=voice,
            language=language,
            audio_format=fmt,
            speed=speed,
            sample_rate=sample_rate,
            srt=srt,
            vtt=vtt,
        )
    except _user_errors() as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    typer.echo(summary)


@app.command()
def voices(
    ctx: typer.Context,
    language: Annotated[str | None, typer.Option(help="Only voices speaking zh or en.")] = None,
    engine: Annotated[str | None, typer.Option(help="Only this engine's voices.")] = None,
) -> None:
    """List the voices of the enabled engines and the registered voices."""
    from voxhub.container import Container
    from voxhub.text.language import normalize_language_tag

    container = Container.build(_settings(ctx))
    try:
        container.migrate_embedded()
        wanted = normalize_language_tag(language) if language else None
        rows = [
            (v.id, ",".join(v.languages), v.gender or "-", v.description)
            for v in container.voices.all(wanted, engine)
        ]
        rows += [
            (
                r.id,
                r.language,
                "-",
                f"{r.name} ({r.engine}{', cloning' if r.cloning else ''})"
                + (f"; aliases {', '.join(r.aliases)}" if r.aliases else ""),
            )
            for r in container.voice_registry.list(wanted, engine)
        ]
    except _user_errors() as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    width = max((len(row[0]) for row in rows), default=10)
    for voice_id, languages, gender, description in rows:
        typer.echo(f"{voice_id:<{width}}  {languages:<8}  {gender:<7}  {description}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def start(ctx: typer.Context) -> None:
    """Start `voxhub serve` in the background (pid file and log in the data directory) and
    wait until it is healthy; extra options go to `serve`."""
    from voxhub.ops import Service
    from voxhub.ops import start as start_service

    raise typer.Exit(start_service(Service.of(_settings(ctx)), list(ctx.args), typer.echo))


@app.command()
def stop(ctx: typer.Context) -> None:
    """Stop the background service and wait until its port is released."""
    from voxhub.ops import Service
    from voxhub.ops import stop as stop_service

    raise typer.Exit(stop_service(Service.of(_settings(ctx)), typer.echo))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def restart(ctx: typer.Context) -> None:
    """Stop the background service (if any), start it again and verify its health."""
    from voxhub.ops import Service
    from voxhub.ops import start as start_service
    from voxhub.ops import stop as stop_service

    service = Service.of(_settings(ctx))
    stop_service(service, typer.echo)
    raise typer.Exit(start_service(service, list(ctx.args), typer.echo))


@app.command()
def status(ctx: typer.Context) -> None:
    """Whether the background service runs, and its health."""
    from voxhub.ops import Service
    from voxhub.ops import status as service_status

    raise typer.Exit(service_status(Service.of(_settings(ctx)), typer.echo))


bench_app = typer.Typer(help="Benchmarks that print ratios measured in one run.")
app.add_typer(bench_app, name="bench")
app.add_typer(jobs_app, name="jobs")
app.command()(transcribe)
app.command("asr-client")(asr_client)


@bench_app.command("online")
def bench_online(
    engine: Annotated[str, typer.Option(help="Engine to measure.")] = "kokoro",
    repeat: Annotated[int, typer.Option(min=1, help="Runs per measurement (median reported).")] = 5,
) -> None:
    """POST /v1/tts over uvicorn vs a direct engine call; streaming first byte vs full synthesis."""
    from voxhub.benchmarks.online import run

    run(engine=engine, repeat=repeat, out=typer.echo)


@bench_app.command("jobs")
def bench_jobs(
    kokoro_chars: Annotated[int, typer.Option(help="Text length of the kokoro scaling run.")] = 600,
    fake_chunks: Annotated[int, typer.Option(help="Chunks of the throughput runs.")] = 1000,
) -> None:
    """Job wall time with 1 vs 2 workers, chunks/s per broker, merge memory 10k vs 50k chars."""
    from voxhub.benchmarks.jobs import run

    run(out=typer.echo, kokoro_chars=kokoro_chars, fake_chunks=fake_chunks)


@bench_app.command("overload")
def bench_overload(
    duration: Annotated[
        float, typer.Option(min=1.0, help="Seconds of the overload phase (unloaded: a third).")
    ] = 30.0,
    engine: Annotated[
        str, typer.Option(help="espeak (fast) or kokoro (slow, ~1 s per 100 characters).")
    ] = "espeak",
) -> None:
    """Short-text throughput and p99 at 10x the concurrency limit vs at it; time to a 429."""
    from voxhub.benchmarks.overload import run

    run(out=typer.echo, duration=duration, engine=engine)


def _check_storage(settings: Settings) -> None:
    """Storage settings that cannot work stop the command before anything starts."""
    from voxhub.errors import ConfigurationError
    from voxhub.store.factory import object_store

    try:
        object_store(settings)
    except ConfigurationError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


def _read_text(text: str | None, file: Path | None) -> str:
    if file is not None:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    if text is None:
        typer.secho("error: give the text to speak, or -f FILE", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    return text


def _user_errors() -> type[Exception]:
    from voxhub.errors import VoxhubError

    return VoxhubError


def main() -> None:
    app()


if __name__ == "__main__":
    main()
