"""Operational routes: health."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from voxhub import __version__
from voxhub.api.deps import ContainerDep
from voxhub.api.schemas import EngineHealth, Health

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, summary="Service health")
async def health(container: ContainerDep) -> JSONResponse:
    """200 when the default engine is loaded, 503 (with the same body) when it is not."""
    loaded = container.engines.loaded()
    default = container.settings.engines.default
    engines = {
        name: EngineHealth(
            model_loaded=name in loaded,
            sample_rate=loaded[name].capabilities.sample_rate if name in loaded else None,
        )
        for name in container.engines.enabled
    }
    ready = default in loaded
    body = Health(
        status="ok" if ready else "degraded",
        version=__version__,
        model_loaded=ready,
        default_engine=default,
        sample_rate=engines[default].sample_rate if default in engines else None,
        engines=engines,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
