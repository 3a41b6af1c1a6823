"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from voxhub import __version__
from voxhub.api.body_limits import BodyLimitMiddleware, body_limits
from voxhub.api.compat import cloning, funasr, glmtts, indextts, openai
from voxhub.api.docs_pages import install_docs
from voxhub.api.errors import install_error_handlers
from voxhub.api.metrics import Metrics, TimingMiddleware
from voxhub.api.openapi.document import install_openapi
from voxhub.api.routes import (
    asr_page,
    auth,
    events,
    jobs,
    ops,
    retention,
    stats,
    transcription,
    tts,
    voices,
)
from voxhub.api.ws import stream
from voxhub.api.ws.metrics import ASRMetrics
from voxhub.container import Container
from voxhub.errors import VoxhubError
from voxhub.logs import RequestIdMiddleware
from voxhub.services.events.stream import follow_redis
from voxhub.settings import Settings

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
        services = built.api_services(
            on_admission_change=metrics.admission_changed, asr_observer=ASRMetrics(metrics)
        )
        app.state.services = services
        for name, figures in services.admission.stats.items():
            metrics.admission_changed(name, figures)
        metrics.watch_jobs(built.job_store)
        # the embedded database belongs to this server: bring it up to date itself
        await anyio.to_thread.run_sync(built.migrate_embedded)
        signals = services.event_signals
        built.job_store.add_listener(signals.notify_threadsafe)
        # plain tasks, not a task group: the lifespan may be exited from another task
        background = [
            asyncio.create_task(
                _every(settings.jobs.reconcile_interval, built.reconciler.run_once, "reconciler")
            )
        ]
        if settings.retention.days > 0:
            age = timedelta(days=settings.retention.days)
            purge = functools.partial(built.retention.purge, age)
            background.append(
                asyncio.create_task(_every(settings.retention.interval, purge, "purge"))
            )
        if settings.events_redis:
            background.append(asyncio.create_task(follow_redis(settings.events_redis, signals)))
        try:
            yield
        finally:
            built.job_store.remove_listener(signals.notify_threadsafe)
            services.asr_streams.shutdown()
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="voxhub",
        version=__version__,
        summary="Self-hosted speech service: TTS with subtitles, long-text jobs, real-time ASR.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    install_error_handlers(app)
    install_openapi(app, settings)
    metrics = Metrics(metrics_dir(settings) if settings.server.workers > 1 else None)
    app.state.metrics = metrics
    # innermost: a 413 it answers is timed and carries the request id like any answer
    app.add_middleware(BodyLimitMiddleware, limits=body_limits(settings))
    app.add_middleware(TimingMiddleware, metrics=metrics)
    # outermost: every log line of a request, and its response, carry the request id
    app.add_middleware(RequestIdMiddleware)
    app.include_router(tts.router)
    app.include_router(events.router)
    app.include_router(jobs.router)
    app.include_router(retention.router)
    app.include_router(voices.router)
    app.include_router(ops.router)
    app.include_router(auth.router)
    app.include_router(stats.router)
    app.include_router(stream.router)
    app.include_router(transcription.router)
    app.include_router(asr_page.router)
    # the routes of the services voxhub replaces
    app.include_router(openai.router)
    app.include_router(indextts.router)
    app.include_router(cloning.router)
    app.include_router(glmtts.router)
    app.include_router(funasr.router)
    # the JavaScript client, shipped inside the package
    app.mount("/static", StaticFiles(packages=[("voxhub", "static")]), name="static")
    return app


async def _every(interval: float, work: Callable[[], object], name: str) -> None:
    """Run blocking `work` at start-up and then periodically; a failed pass is logged only."""
    while True:
        try:
            await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except Exception:  # the database, broker or storage may be briefly unreachable
            log.exception("%s pass failed", name)
        await anyio.sleep(interval)


def metrics_dir(settings: Settings) -> Path:
    """Where API processes share their metric samples when there are several."""
    return settings.data_dir / "metrics"
