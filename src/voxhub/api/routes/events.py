"""Server-Sent Events of job progress: one job, or every job."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from voxhub.access import Access
from voxhub.api.auth import AccessDep, require
from voxhub.api.deps import ContainerDep, get_event_signals
from voxhub.api.routes.jobs import job_out
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import LastEventId
from voxhub.db.repositories.job_views import ACTIVE, TERMINAL
from voxhub.services.events.stream import StreamStart, event_stream

router = APIRouter(tags=["jobs"], dependencies=[require("jobs")])

_EVENTS = ("snapshot", "status", "progress", "heartbeat")
_HEADERS = {
    "Cache-Control": "no-cache",
    # proxies such as nginx must pass each event on as it comes
    "X-Accel-Buffering": "no",
}


@router.get(
    "/v1/tts/jobs/{job_id}/events",
    summary="Progress of a job (Server-Sent Events)",
    response_class=StreamingResponse,
    responses=media.event_stream("The job's events, until its final status.", _EVENTS),
)
async def job_events(
    job_id: str,
    request: Request,
    container: ContainerDep,
    access: AccessDep,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """A `snapshot` of the job, then `status` and `progress` events and a `heartbeat` now and
    then; every event has an `id`, and the stream ends after the job's final status."""
    return await _stream(request, container, access, job_id, last_event_id)


@router.get(
    "/v1/events",
    summary="Progress of one job or of every job (Server-Sent Events)",
    response_class=StreamingResponse,
    responses=media.event_stream("The events of the job, or of every job.", _EVENTS),
)
async def events(
    request: Request,
    container: ContainerDep,
    access: AccessDep,
    job_id: Annotated[str | None, Query(description="One job; every job when absent.")] = None,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """Every job of the caller's tenant (of every tenant for an administrator key)."""
    return await _stream(request, container, access, job_id, last_event_id)


async def _stream(
    request: Request,
    container: ContainerDep,
    access: Access,
    job_id: str | None,
    last_event_id: int | None,
) -> StreamingResponse:
    # everything that can be refused is refused here, before the stream starts
    start = await anyio.to_thread.run_sync(
        lambda: _start(request, container, access, job_id, last_event_id)
    )
    signals = get_event_signals(request)
    stream = event_stream(
        container.event_log,
        signals,
        container.settings.events,
        job_id,
        start,
        owner=access.owner_filter,
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers=_HEADERS)


def _start(
    request: Request,
    container: ContainerDep,
    access: Access,
    job_id: str | None,
    cursor: int | None,
) -> StreamStart:
    if job_id is None:
        if cursor is not None:
            return StreamStart(cursor, None)
        # the cursor is read first: an event between the two reads is sent, not lost
        latest = container.event_log.last_id()
        active, _ = container.jobs.find(ACTIVE, 100, 0, access)
        snapshot = {"jobs": [job_out(job, request).model_dump(mode="json") for job in active]}
        return StreamStart(latest, snapshot)
    if cursor is not None:
        job = container.jobs.get(job_id, access)
        return StreamStart(cursor, None, ended=job.status in TERMINAL)
    latest = container.event_log.last_id(job_id)
    job = container.jobs.get(job_id, access)
    snapshot = job_out(job, request).model_dump(mode="json")
    return StreamStart(latest, snapshot, ended=job.status in TERMINAL)
