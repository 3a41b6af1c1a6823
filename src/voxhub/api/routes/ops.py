"""Operational routes: health and system facts."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from voxhub import __version__
from voxhub.api.deps import ContainerDep, asr_figures
from voxhub.api.schemas.tts import DependencyHealth, EngineHealth, Health
from voxhub.services.readiness import check_broker, check_database, check_storage
from voxhub.services.system import system_facts

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, summary="Service health")
async def health(request: Request, container: ContainerDep) -> JSONResponse:
    """200 when the default engine is loaded and the database, broker and storage answer;
    503 (with the same body, naming what is wrong) otherwise."""
    loaded = container.engines.loaded()
    default = container.settings.engines.default
    engines = {
        name: EngineHealth(
            model_loaded=name in loaded,
            sample_rate=loaded[name].capabilities.sample_rate if name in loaded else None,
        )
        for name in container.engines.enabled
    }
    settings = container.settings
    checks = await anyio.to_thread.run_sync(
        lambda: [
            check_database(container.job_store.engine),
            check_broker(settings.broker, settings.broker_dir),
            check_storage(container.objects),
        ]
    )
    problems = [f"{c.name} unreachable: {c.error}" for c in checks if not c.ok]
    if default not in loaded:
        problems.insert(0, f"default engine {default!r} is not loaded")
    ready = not problems
    body = Health(
        status="ok" if ready else "degraded",
        version=__version__,
        model_loaded=ready,
        default_engine=default,
        sample_rate=engines[default].sample_rate if default in engines else None,
        engines=engines,
        dependencies={
            c.name: DependencyHealth(ok=c.ok, latency_ms=c.latency_ms, error=c.error)
            for c in checks
        },
        problems=problems,
        asr=asr_figures(request),
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/v1/system", summary="Host and process facts")
async def system(container: ContainerDep) -> dict[str, Any]:
    """CPU, memory, disk, versions and loaded engines, for operators."""
    return await anyio.to_thread.run_sync(
        system_facts, container.settings.data_dir, container.engines
    )
