"""Request-scoped access to what the app lifespan built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from voxhub.api.metrics import Metrics
from voxhub.container import Container
from voxhub.jobs.service import JobService
from voxhub.services.online import OnlineSynthesis


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_online(request: Request) -> OnlineSynthesis:
    online: OnlineSynthesis = request.app.state.online
    return online


def get_jobs(request: Request) -> JobService:
    return get_container(request).jobs


def metrics_of(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def public_url(request: Request, path: str) -> str:
    """An absolute URL for `path`, honouring the configured public base URL."""
    base = get_container(request).settings.server.public_url or str(request.base_url)
    return base.rstrip("/") + path


ContainerDep = Annotated[Container, Depends(get_container)]
OnlineDep = Annotated[OnlineSynthesis, Depends(get_online)]
JobsDep = Annotated[JobService, Depends(get_jobs)]
