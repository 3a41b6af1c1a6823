"""The cloning backend's routes: template synthesis, tasks, retry, events, system."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from voxhub.access import Access
from voxhub.api.auth import AccessDep, require
from voxhub.api.compat.cloning_events import stream_start, task_events
from voxhub.api.compat.cloning_tasks import (
    CANCELLED,
    TEMPLATE_LABEL,
    CloningErrorOut,
    GenerateBody,
    RetryBody,
    envelope_shape,
    settle,
    status_word,
    success,
    task_error,
    task_view,
    template_of,
)
from voxhub.api.deps import ContainerDep, EventSignalsDep, JobsDep, public_url
from voxhub.api.errors import shaped_routes
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import LastEventId
from voxhub.db.repositories.job_views import JobView
from voxhub.errors import Conflict, EngineUnavailable, InvalidInput, JobNotFound, VoxhubError
from voxhub.services.jobs.service import JobService
from voxhub.services.system import system_facts

router = APIRouter(
    tags=["compatibility"], route_class=shaped_routes(envelope_shape, body=CloningErrorOut)
)

_SSE_HEADERS = {
    "Cache-Control": "no-cache",
    # proxies such as nginx must pass each event on as it comes
    "X-Accel-Buffering": "no",
}


@router.post(
    "/api/tts",
    summary="Cloning backend: speak text in a template's voice",
    dependencies=[require("jobs")],
)
async def generate(
    body: GenerateBody,
    request: Request,
    container: ContainerDep,
    jobs: JobsDep,
    signals: EventSignalsDep,
    access: AccessDep,
) -> JSONResponse:
    """A voxhub job: answered with `audio_url` when it finishes within
    VOXHUB_COMPAT__CLONING_WAIT seconds, else with `status: started` (follow GET /events)."""
    template_id = body.template()
    body.text()  # empty text is refused before a template is fetched
    voice_id = await anyio.to_thread.run_sync(container.templates.voice_for, template_id, access)
    job = await anyio.to_thread.run_sync(
        lambda: jobs.submit(body.to_request(voice_id), access, labels={TEMPLATE_LABEL: template_id})
    )
    wait = container.settings.compat.cloning_wait
    status = await settle(container, signals, job.id, wait)
    if status == "succeeded":
        return success(
            {"taskId": job.id, "audio_url": _audio_url(request, job.id), "status": "succeeded"}
        )
    if status in ("failed", "cancelled"):
        ended = await anyio.to_thread.run_sync(jobs.get, job.id, access)
        return task_error(_failure(ended), job.id)
    return success({"taskId": job.id, "message": "Audio generation started", "status": "started"})


@router.post(
    "/api/tts/retry",
    summary="Cloning backend: retry a failed task",
    dependencies=[require("jobs")],
)
async def retry(body: RetryBody, jobs: JobsDep, access: AccessDep) -> JSONResponse:
    """The same task runs again: the parts of its text that did not finish."""
    task_id = body.task()
    try:
        await anyio.to_thread.run_sync(_retry, jobs, task_id, body, access)
    except VoxhubError as exc:
        return task_error(exc, task_id)
    return success({"taskId": task_id, "message": "Retry initiated successfully"})


@router.get(
    "/api/tts/task/{task_id}",
    summary="Cloning backend: a task's status",
    dependencies=[require("jobs")],
)
async def task(task_id: str, request: Request, jobs: JobsDep, access: AccessDep) -> JSONResponse:
    def load() -> dict[str, Any]:
        job = _task(jobs, task_id, access)
        return task_view(job, jobs.text(task_id, access), _audio_url(request, task_id))

    try:
        view = await anyio.to_thread.run_sync(load)
    except VoxhubError as exc:
        return task_error(exc, task_id)
    return success(view)


@router.get(
    "/events",
    summary="Cloning backend: task updates (Server-Sent Events)",
    dependencies=[require("jobs")],
    response_class=StreamingResponse,
    responses=media.event_stream(
        "The task's updates, or every task's.", ("connected", "task_update", "heartbeat")
    ),
)
async def events(
    request: Request,
    container: ContainerDep,
    signals: EventSignalsDep,
    access: AccessDep,
    task_id: Annotated[
        str | None, Query(alias="taskId", description="One task; every task when absent.")
    ] = None,
    last_event_id: LastEventId = None,
) -> Response:
    """`connected` (with the client id), then `task_update` for every change, and a
    `heartbeat` now and then; a reconnecting EventSource resumes without a gap."""

    def audio_url(job_id: str) -> str:
        return _audio_url(request, job_id)

    try:
        start = await anyio.to_thread.run_sync(
            lambda: stream_start(container, access, task_id, last_event_id, audio_url)
        )
    except JobNotFound:
        assert task_id is not None
        return task_error(_unknown(task_id), task_id)
    stream = task_events(container, signals, access, task_id, start, uuid.uuid4().hex, audio_url)
    return StreamingResponse(stream, media_type="text/event-stream", headers=_SSE_HEADERS)


@router.get(
    "/system", summary="Cloning backend: host and process facts", dependencies=[require(None)]
)
async def system(container: ContainerDep) -> JSONResponse:
    facts = await anyio.to_thread.run_sync(
        system_facts, container.settings.data_dir, container.engines
    )
    return success(facts)


def _audio_url(request: Request, job_id: str) -> str:
    return public_url(request, f"/v1/tts/jobs/{job_id}/audio")


def _task(jobs: JobService, task_id: str, access: Access) -> JobView:
    try:
        return jobs.get(task_id, access)
    except JobNotFound:
        raise _unknown(task_id) from None


def _unknown(task_id: str) -> JobNotFound:
    return JobNotFound(f"No task {task_id!r}: check the taskId POST /api/tts answered with.")


def _retry(jobs: JobService, task_id: str, body: RetryBody, access: Access) -> None:
    """Retry the task as it was created; a body naming other work is refused, not ignored."""
    job = _task(jobs, task_id, access)
    template = template_of(job)
    if body.template_id is not None and str(body.template_id).strip() != template:
        raise InvalidInput(
            f"Task {task_id} speaks template {template!r}, not {body.template_id!r}; "
            "for other work, create a task with POST /api/tts."
        )
    if body.tts_text is not None and body.tts_text.strip() != jobs.text(task_id, access):
        raise InvalidInput(
            f"Task {task_id} speaks other text than this tts_text; "
            "for other text, create a task with POST /api/tts."
        )
    try:
        jobs.retry(task_id, access)
    except Conflict:
        now = status_word(jobs.get(task_id, access).status)
        raise Conflict(f"Task {task_id} is {now}; only a failed task can be retried.") from None


def _failure(job: JobView) -> VoxhubError:
    if job.status == "cancelled":
        return Conflict(f"{CANCELLED} Retry it with POST /api/tts/retry.")
    return EngineUnavailable(job.error or "Audio generation failed.")
