"""Long-text job routes: submit, list, inspect, cancel, retry, download results."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response

from voxhub.access import Access
from voxhub.api.auth import AccessDep, require
from voxhub.api.deps import ContainerDep, JobsDep, public_url
from voxhub.api.downloads import download_response
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import MAX_OFFSET
from voxhub.api.schemas.jobs import (
    JobLinks,
    JobList,
    JobOut,
    JobProgress,
    JobRequest,
    WebhookAttemptOut,
    WebhookOut,
)
from voxhub.audio.formats import parse_format
from voxhub.db.repositories.job_views import STATUSES, JobView
from voxhub.db.repositories.webhooks import Delivery
from voxhub.errors import Conflict, InvalidInput
from voxhub.services.jobs.files import RESULT_TYPES, download_name
from voxhub.services.jobs.service import JobService

router = APIRouter(prefix="/v1/tts/jobs", tags=["jobs"], dependencies=[require("jobs")])


@router.post("", status_code=202, response_model=JobOut, summary="Submit long text")
async def submit(
    body: JobRequest, jobs: JobsDep, request: Request, response: Response, access: AccessDep
) -> JobOut:
    """Up to 50,000 characters, split into chunks that workers synthesize in parallel."""
    job = await anyio.to_thread.run_sync(
        lambda: jobs.submit(
            body.to_request(), access, body.callback_url, body.priority, body.callback_progress
        )
    )
    out = job_out(job, request)
    response.headers["Location"] = out.urls.self
    return out


@router.get("", response_model=JobList, summary="List jobs, newest first")
async def list_jobs(
    jobs: JobsDep,
    request: Request,
    access: AccessDep,
    status: Annotated[
        str | None,
        Query(
            description=f"One of {', '.join(STATUSES)}.",
            pattern="^[a-z]+$",
            json_schema_extra={"enum": list(STATUSES)},
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JobList:
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.")
    found, total = await anyio.to_thread.run_sync(jobs.find, status, limit, offset, access)
    return JobList(
        jobs=[job_out(j, request) for j in found], total=total, limit=limit, offset=offset
    )


@router.get("/{job_id}", response_model=JobOut, summary="Status and progress of a job")
async def get_job(
    job_id: str, jobs: JobsDep, container: ContainerDep, request: Request, access: AccessDep
) -> JobOut:
    """With the deliveries to the job's callback_url and each of their attempts."""

    def load() -> tuple[JobView, list[Delivery]]:
        return jobs.get(job_id, access), container.webhooks.deliveries.for_job(job_id)

    job, deliveries = await anyio.to_thread.run_sync(load)
    return job_out(job, request, deliveries)


@router.post("/{job_id}/cancel", response_model=JobOut, summary="Cancel a queued or running job")
async def cancel_job(job_id: str, jobs: JobsDep, request: Request, access: AccessDep) -> JobOut:
    return job_out(await anyio.to_thread.run_sync(jobs.cancel, job_id, access), request)


@router.post("/{job_id}/retry", response_model=JobOut, summary="Re-run a failed or cancelled job")
async def retry_job(job_id: str, jobs: JobsDep, request: Request, access: AccessDep) -> JobOut:
    """Only the chunks that did not finish run again."""
    return job_out(await anyio.to_thread.run_sync(jobs.retry, job_id, access), request)


@router.get(
    "/{job_id}/audio",
    summary="Download the job's audio",
    response_class=Response,
    responses=media.audio("The audio file, in the job's format."),
)
async def job_audio(
    job_id: str, jobs: JobsDep, container: ContainerDep, access: AccessDep
) -> Response:
    """The file itself, or on S3 storage a 307 redirect to a presigned URL of it."""
    job = await _finished(jobs, job_id, access)
    fmt = parse_format(job.request["format"])
    name = f"audio.{fmt.extension}"
    found = await anyio.to_thread.run_sync(container.job_files.find_result, job_id, name)
    return download_response(
        found, fmt.media_type(job.request["sample_rate"]), download_name(job_id, name)
    )


def _add_download(name: str, what: str) -> None:
    """GET /{job_id}/NAME: one route per result file, each with its own media type."""

    async def download(
        job_id: str, jobs: JobsDep, container: ContainerDep, access: AccessDep
    ) -> Response:
        await _finished(jobs, job_id, access)
        found = await anyio.to_thread.run_sync(container.job_files.find_result, job_id, name)
        return download_response(found, RESULT_TYPES[name], download_name(job_id, name))

    media_type = media.RESULT_FILE_TYPES[name]
    body = {"schema": {"type": "object"}} if media_type == "application/json" else media.TEXT
    router.add_api_route(
        f"/{{job_id}}/{name}",
        download,
        methods=["GET"],
        name=f"job_{name.replace('.', '_')}",
        summary=f"Download the job's {what}",
        description="The file itself, or on S3 storage a 307 redirect to a presigned URL of it.",
        response_class=Response,
        responses={200: {"description": f"The job's {what}.", **media.content([media_type], body)}},
    )


_RESULTS = {
    "subtitles.srt": "SubRip subtitles",
    "subtitles.vtt": "WebVTT subtitles",
    "timings.json": "sentence and word timings",
}
for _name in RESULT_TYPES:
    _add_download(_name, _RESULTS.get(_name, _name))


async def _finished(jobs: JobService, job_id: str, access: Access) -> JobView:
    job = await anyio.to_thread.run_sync(jobs.get, job_id, access)
    if job.status != "succeeded":
        raise Conflict(
            f"Job {job_id} is {job.status}; its results are ready once it has succeeded."
        )
    return job


def job_out(job: JobView, request: Request, deliveries: list[Delivery] | None = None) -> JobOut:
    base = f"/v1/tts/jobs/{job.id}"
    return JobOut(
        id=job.id,
        status=job.status,
        dead_lettered=job.dead_lettered,
        characters=job.characters,
        progress=JobProgress(
            chunks_done=job.chunks_done,
            chunks_total=job.chunks_total,
            percent=job.percent,
            eta_seconds=job.eta_seconds,
        ),
        attempts=job.attempts,
        manual_retries=job.manual_retries,
        error=job.error,
        voice=job.request["voice"],
        language=job.request["language"],
        format=job.request["format"],
        sample_rate=job.request["sample_rate"],
        priority=job.priority,
        callback_url=job.callback_url,
        callback_progress=bool(job.request.get("callback_progress", False)),
        webhooks=None if deliveries is None else [webhook_out(d) for d in deliveries],
        duration=round(job.duration, 3) if job.duration is not None else None,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        urls=JobLinks(
            self=public_url(request, base),
            audio=public_url(request, f"{base}/audio"),
            srt=public_url(request, f"{base}/subtitles.srt"),
            vtt=public_url(request, f"{base}/subtitles.vtt"),
            timings=public_url(request, f"{base}/timings.json"),
            cancel=public_url(request, f"{base}/cancel"),
            retry=public_url(request, f"{base}/retry"),
        ),
    )


def webhook_out(delivery: Delivery) -> WebhookOut:
    return WebhookOut(
        id=delivery.id,
        event=delivery.event,
        url=delivery.url,
        status=delivery.status,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        attempts=[
            WebhookAttemptOut(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in delivery.history
        ],
    )
