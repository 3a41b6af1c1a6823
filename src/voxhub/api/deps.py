"""Request-scoped access to what the app lifespan built through the container."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from voxhub.api.metrics import Metrics
from voxhub.container import ApiServices, Container
from voxhub.services.admission import Admission
from voxhub.services.events.stream import EventSignals
from voxhub.services.jobs.service import JobService
from voxhub.services.online import OnlineSynthesis
from voxhub.services.recognition.streams import ASRStreams
from voxhub.services.transcription import Transcriber


def get_container(connection: HTTPConnection) -> Container:
    container: Container = connection.app.state.container
    return container


def api_services(connection: HTTPConnection) -> ApiServices:
    services: ApiServices = connection.app.state.services
    return services


def get_online(request: Request) -> OnlineSynthesis:
    return api_services(request).online


def get_admission(request: Request) -> Admission:
    return api_services(request).admission


def get_event_signals(request: Request) -> EventSignals:
    return api_services(request).event_signals


def get_file_limiter(request: Request) -> anyio.CapacityLimiter:
    return api_services(request).file_limiter


def get_transcriber(request: Request) -> Transcriber:
    return get_container(request).transcriber


def get_jobs(request: Request) -> JobService:
    return get_container(request).jobs


def streams_of(connection: HTTPConnection) -> ASRStreams:
    """The app's real-time recognition service."""
    return api_services(connection).asr_streams


def asr_figures(connection: HTTPConnection) -> dict[str, Any] | None:
    """The real-time counters for /v1/stats and /health (None before the app started)."""
    services: ApiServices | None = getattr(connection.app.state, "services", None)
    return None if services is None else services.asr_streams.figures()


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
AdmissionDep = Annotated[Admission, Depends(get_admission)]
EventSignalsDep = Annotated[EventSignals, Depends(get_event_signals)]
TranscriberDep = Annotated[Transcriber, Depends(get_transcriber)]
FileLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_file_limiter)]
