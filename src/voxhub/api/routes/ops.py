"""Operational routes: health and system facts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from voxhub import __version__
from voxhub.api.auth import require
from voxhub.api.deps import ContainerDep, asr_figures
from voxhub.api.schemas.health import DependencyHealth, EngineHealth, Health
from voxhub.services.system import host_load, system_facts

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    response_model=Health,
    summary="Service health",
    responses={503: {"model": Health, "description": "Degraded: the problems are named."}},
)
async def health(request: Request, container: ContainerDep) -> JSONResponse:
    """200 when the default engine is loaded and the database, broker and storage answer;
    503 (with the same body, naming what is wrong) otherwise. One document for every
    monitor: voxhub's fields, the FunASR service's (connections, CPU, memory, timestamp)
    and the `status`/`model_loaded`/`success` the replaced services' monitors compare."""
    settings = container.settings
    loaded = container.engines.loaded()
    default = settings.engines.default
    # the CPU is sampled over a short window, taken while the dependencies are checked
    readiness, load = await asyncio.gather(
        asyncio.to_thread(container.readiness),
        asyncio.to_thread(host_load),
    )
    engines = {
        name: EngineHealth(
            model_loaded=name in loaded,
            sample_rate=loaded[name].capabilities.sample_rate if name in loaded else None,
        )
        for name in container.engines.enabled
    }
    asr = asr_figures(request) or {}
    ready = readiness.ready
    body = Health(
        status="healthy" if ready else "degraded",
        version=__version__,
        model_loaded=ready,
        default_engine=default,
        sample_rate=engines[default].sample_rate if default in engines else None,
        engines=engines,
        dependencies={
            c.name: DependencyHealth(ok=c.ok, latency_ms=c.latency_ms, error=c.error)
            for c in readiness.checks
        },
        problems=list(readiness.problems),
        asr=asr or None,
        active_connections=asr.get("active_connections", 0),
        max_connections=asr.get("max_connections", settings.asr.max_connections),
        cpu_usage_percent=load.cpu_percent,
        memory_usage_percent=load.memory_percent,
        timestamp=datetime.now().isoformat(timespec="seconds"),
        success=ready,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/v1/system", summary="Host and process facts", dependencies=[require(None)])
async def system(container: ContainerDep) -> dict[str, Any]:
    """CPU, memory, disk, versions and loaded engines, for operators."""
    return await anyio.to_thread.run_sync(
        system_facts, container.settings.data_dir, container.engines
    )
