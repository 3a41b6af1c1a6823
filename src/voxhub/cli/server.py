"""Running the service: serve, worker, migrate; start, stop, restart, status in the background."""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
from typing import Annotated

import typer

from voxhub.cli.context import check_storage, settings_of
from voxhub.settings import Settings

log = logging.getLogger("voxhub")


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

    With the embedded broker it also starts the job workers, unless --no-workers. SIGTERM or
    SIGINT stops everything within VOXHUB_SHUTDOWN_TIMEOUT; a second one at once.
    """
    from voxhub.api.app import metrics_dir
    from voxhub.cli.serving import run_api
    from voxhub.cli.stopping import ServeStop
    from voxhub.tasks.workers import EmbeddedWorkers

    settings = settings_of(ctx)
    overrides = {"host": host, "port": port, "workers": workers}
    server = settings.server.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    settings = settings.model_copy(update={"server": server})
    check_storage(settings)
    warn_if_open(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    count = settings.jobs.workers if job_workers is None else job_workers
    job_workers_process = EmbeddedWorkers(settings, count) if count and not no_workers else None
    stop = ServeStop(settings.shutdown_timeout, job_workers_process)
    # from here on: a signal during the start-up stops what has started so far
    stop.install()
    if job_workers_process:
        _migrate(settings)
        job_workers_process.start()
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
    run_api(settings, stop)


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Worker processes, each with its own model.")
    ] = 2,
    loglevel: Annotated[
        str | None, typer.Option(help="Log level of the workers; VOXHUB_LOG_LEVEL if omitted.")
    ] = None,
    parent: Annotated[
        int | None, typer.Option(hidden=True, help="Stop when this process is gone.")
    ] = None,
) -> None:
    """Run job workers against the configured broker (VOXHUB_JOBS__BROKER_URL)."""
    from voxhub.container import worker_runtime
    from voxhub.tasks.workers import run_worker

    settings = settings_of(ctx)
    check_storage(settings)
    run_worker(settings, concurrency, worker_runtime, loglevel or settings.log_level, parent)


def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema (VOXHUB_DATABASE_URL)."""
    revision = _migrate(settings_of(ctx))
    typer.echo(f"database at revision {revision}")


def _migrate(settings: Settings) -> str | None:
    from voxhub.db.engine import database_engine
    from voxhub.db.migrate import current, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = database_engine(settings.database)
    upgrade(engine)
    return current(engine)


def start(ctx: typer.Context) -> None:
    """Start `voxhub serve` in the background (pid file and log in the data directory) and
    wait until it is healthy; extra options go to `serve`."""
    from voxhub.cli.daemon import Service
    from voxhub.cli.daemon import start as start_service

    raise typer.Exit(start_service(Service.of(settings_of(ctx)), list(ctx.args), typer.echo))


def stop(ctx: typer.Context) -> None:
    """Stop the background service and wait until its port is released."""
    from voxhub.cli.daemon import Service
    from voxhub.cli.daemon import stop as stop_service

    settings = settings_of(ctx)
    # it stops within its shutdown timeout; beyond that it is killed
    wait = settings.shutdown_timeout + 5
    raise typer.Exit(stop_service(Service.of(settings), typer.echo, wait))


def restart(ctx: typer.Context) -> None:
    """Stop the background service (if any), start it again and verify its health."""
    from voxhub.cli.daemon import Service
    from voxhub.cli.daemon import start as start_service
    from voxhub.cli.daemon import stop as stop_service

    settings = settings_of(ctx)
    service = Service.of(settings)
    stop_service(service, typer.echo, settings.shutdown_timeout + 5)
    raise typer.Exit(start_service(service, list(ctx.args), typer.echo))


def status(ctx: typer.Context) -> None:
    """Whether the background service runs, and its health."""
    from voxhub.cli.daemon import Service
    from voxhub.cli.daemon import status as service_status

    raise typer.Exit(service_status(Service.of(settings_of(ctx)), typer.echo))


def warn_if_open(settings: Settings) -> None:
    """A server others can reach, with authentication off, says so loudly at start."""
    if settings.auth.mode != "off" or is_loopback(settings.server.host):
        return
    typer.secho(
        f"WARNING: voxhub listens on {settings.server.host} with authentication OFF: anyone "
        "who can reach this port can read every job and change every voice. Set "
        "VOXHUB_AUTH__MODE=keys and create keys with `voxhub keys create NAME`.",
        fg=typer.colors.RED,
        bold=True,
        err=True,
    )
    log.warning("authentication is off on a non-loopback address %s", settings.server.host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
