"""The IndexTTS server's routes on voxhub's services, with its `{"detail": …}` errors."""

from __future__ import annotations

import base64
import time

import anyio
from fastapi import APIRouter, Request

from voxhub.api.auth import AccessDep, require
from voxhub.api.compat.indextts_schemas import (
    LongRequest,
    OnlineOut,
    OnlineRequest,
    SubmitOut,
    TaskOut,
    VoicesOut,
)
from voxhub.api.compat.indextts_tasks import submit_out, task_out
from voxhub.api.compat.indextts_voices import voices_out
from voxhub.api.deps import ContainerDep, JobsDep, OnlineDep, metrics_of, public_url
from voxhub.api.errors import detail_shape, shaped_routes
from voxhub.container import Container
from voxhub.db.repositories.job_views import JobView
from voxhub.errors import TextTooLong
from voxhub.subtitles.formats import to_srt

# that server was FastAPI: its clients read errors from `detail`
router = APIRouter(tags=["compatibility"], route_class=shaped_routes(detail_shape))


@router.post(
    "/tts/online",
    response_model=OnlineOut,
    summary="IndexTTS: synthesize short text",
    dependencies=[require("tts")],
)
async def online_tts(
    body: OnlineRequest,
    online: OnlineDep,
    container: ContainerDep,
    request: Request,
    access: AccessDep,
) -> OnlineOut:
    """Up to 300 characters: the audio (URL and, by default, base64) and its SRT subtitles."""
    settings = container.settings
    characters = len(body.text.strip())
    if characters > settings.online.max_chars:
        # said here rather than by the synthesizer, to name this API's long-text route
        raise TextTooLong(
            f"Text has {characters} characters; /tts/online takes at most "
            f"{settings.online.max_chars}. Submit longer text with POST /tts/long/submit "
            f"(up to {settings.jobs.max_chars:,} characters)."
        )
    started = time.perf_counter()
    result = await online.synthesize(body.to_request(), access)
    elapsed = time.perf_counter() - started
    if result.duration > 0:
        metrics_of(request).real_time_factor.labels(result.voice.engine).observe(
            elapsed / result.duration
        )
    audio = None
    if settings.compat.indextts_inline_audio:
        # the encoded file online synthesis already holds: no second read from storage
        audio = base64.b64encode(result.audio).decode("ascii")
    srt = to_srt(result.cues)
    return OnlineOut(
        task_id=result.id,
        audio_url=public_url(request, f"/v1/tts/audio/{result.id}.{result.extension}"),
        audio_base64=audio,
        srt_content=srt,
        srt=srt,
        format=result.extension,
        media_type=result.media_type,
        sample_rate=result.sample_rate,
        duration=round(result.duration, 3),
        processing_time=round(elapsed, 3),
        voice=result.voice.id,
        character=body.character or body.voice,
        language=result.language,
        text_length=characters,
    )


@router.post(
    "/tts/long/submit",
    response_model=SubmitOut,
    summary="IndexTTS: submit long text",
    dependencies=[require("jobs")],
)
async def submit_long(
    body: LongRequest, jobs: JobsDep, request: Request, access: AccessDep
) -> SubmitOut:
    """Up to 50,000 characters as a voxhub job; its id is the task_id."""
    character = body.character or body.voice
    # kept with the job, so its status names the character as the client did
    labels = {"character": character} if character else None
    job = await anyio.to_thread.run_sync(
        lambda: jobs.submit(
            body.to_request(),
            access,
            body.callback_url,
            body.priority,
            body.callback_progress,
            labels,
        )
    )
    return submit_out(job, request)


@router.get(
    "/tts/long/status/{task_id}",
    response_model=TaskOut,
    summary="IndexTTS: a long-text task",
    dependencies=[require("jobs")],
)
async def long_status(
    task_id: str, jobs: JobsDep, container: ContainerDep, request: Request, access: AccessDep
) -> TaskOut:
    """Status, progress, and once completed the audio URL and the SRT itself."""
    job = await anyio.to_thread.run_sync(jobs.get, task_id, access)
    return await _task(job, container, request)


@router.post(
    "/tts/long/cancel/{task_id}",
    response_model=TaskOut,
    summary="Cancel a long-text task",
    dependencies=[require("jobs")],
)
async def cancel_long(
    task_id: str, jobs: JobsDep, container: ContainerDep, request: Request, access: AccessDep
) -> TaskOut:
    """A pending or processing task stops within one sentence (voxhub addition)."""
    job = await anyio.to_thread.run_sync(jobs.cancel, task_id, access)
    return await _task(job, container, request)


@router.post(
    "/tts/long/retry/{task_id}",
    response_model=TaskOut,
    summary="Retry a long-text task",
    dependencies=[require("jobs")],
)
async def retry_long(
    task_id: str, jobs: JobsDep, container: ContainerDep, request: Request, access: AccessDep
) -> TaskOut:
    """A failed or cancelled task runs its unfinished parts again (voxhub addition)."""
    job = await anyio.to_thread.run_sync(jobs.retry, task_id, access)
    return await _task(job, container, request)


@router.get(
    "/voices",
    response_model=VoicesOut,
    summary="IndexTTS: the characters",
    dependencies=[require("voices")],
)
async def list_voices(container: ContainerDep, access: AccessDep) -> VoicesOut:
    """Every name `character` takes: generic names, engine voices, registered voices and
    their aliases, with what each one is."""
    return await anyio.to_thread.run_sync(voices_out, container, access)


async def _task(job: JobView, container: Container, request: Request) -> TaskOut:
    srt = None
    if job.status == "succeeded":
        data = await anyio.to_thread.run_sync(
            container.job_files.read_result, job.id, "subtitles.srt"
        )
        srt = data.decode("utf-8")
    return task_out(job, srt, request)
