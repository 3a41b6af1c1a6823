"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI

from voxhub import __version__
from voxhub.api.errors import install_error_handlers
from voxhub.api.metrics import Metrics, TimingMiddleware
from voxhub.api.routes import jobs, ops, stats, tts, voices
from voxhub.container import Container
from voxhub.db.migrate import upgrade
from voxhub.errors import VoxhubError
from voxhub.logs import RequestIdMiddleware, configure_logging
from voxhub.services.admission import Admission
from voxhub.services.online import OnlineSynthesis
from voxhub.settings import Settings, log_options

log = logging.getLogger("voxhub")


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """Build the app; engines load in its lifespan, not at import or construction."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = container or Container.build(settings)
        try:
            await anyio.to_thread.run_sync(built.preload)
        except VoxhubError as exc:
            # keep serving: /health reports the engine missing and requests get a 503
            log.error("engine preload failed: %s", exc.message)
        app.state.container = built
        admission = Admission(settings.admission, on_change=metrics.admission_changed)
        for name, figures in admission.stats.items():
            metrics.admission_changed(name, figures)
        app.state.admission = admission
        metrics.watch_jobs(built.job_store)
        app.state.online = OnlineSynthesis(
            built.synthesizer,
            built.results,
            built.cue_rules,
            anyio.CapacityLimiter(settings.online.inference_threads),
            admission,
        )
        if not settings.database_url:
            # the embedded database belongs to this server: bring it up to date itself
            await anyio.to_thread.run_sync(upgrade, built.job_store.engine)
        # a plain task, not a task group: the lifespan may be exited from another task
        reconciler = asyncio.create_task(
            _reconcile_forever(built, settings.jobs.reconcile_interval)
        )
        try:
            yield
        finally:
            reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reconciler

    app = FastAPI(
        title="voxhub",
        version=__version__,
        summary="Self-hosted speech service: TTS with subtitles, long-text jobs, real-time ASR.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    metrics = Metrics(metrics_dir(settings) if settings.server.workers > 1 else None)
    app.state.metrics = metrics
    app.add_middleware(TimingMiddleware, metrics=metrics)
    # outermost: every log line of a request, and its response, carry the request id
    app.add_middleware(RequestIdMiddleware)
    app.include_router(tts.router)
    app.include_router(jobs.router)
    app.include_router(voices.router)
    app.include_router(ops.router)
    app.include_router(stats.router)
    return app


async def _reconcile_forever(container: Container, interval: float) -> None:
    """Resend lost work at start-up and then periodically; a failed pass is logged, not fatal."""
    while True:
        try:
            await anyio.to_thread.run_sync(container.reconciler.run_once, abandon_on_cancel=True)
        except Exception:  # the database or broker may be briefly unreachable
            log.exception("reconciler pass failed")
        await anyio.sleep(interval)


def app_from_environment() -> FastAPI:
    """The entry point of each API process under `voxhub serve --workers N`: settings are
    read here, once per process, exactly as `voxhub serve` reads them."""
    settings = Settings()
    configure_logging(log_options(settings))
    return create_app(settings)


def metrics_dir(settings: Settings) -> Path:
    """Where API processes share their metric samples when there are several."""
    return settings.data_dir / "metrics"
