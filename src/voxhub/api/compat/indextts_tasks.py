"""voxhub jobs as IndexTTS long-text tasks: its status words and its `tts_tasks` fields."""

from __future__ import annotations

from fastapi import Request

from voxhub.api.compat.indextts_schemas import SubmitOut, TaskOut
from voxhub.api.deps import public_url
from voxhub.db.repositories.job_views import JobView

# IndexTTS has no word for a part waiting out its backoff: the task is still being processed
STATUS_WORDS = {
    "queued": "pending",
    "running": "processing",
    "retrying": "processing",
    "succeeded": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
}


def status_word(job: JobView) -> str:
    return STATUS_WORDS[job.status]


def character_of(job: JobView) -> str | None:
    """The character the task was submitted with, as the client wrote it."""
    character = (job.request.get("labels") or {}).get("character")
    return None if character is None else str(character)


def submit_out(job: JobView, request: Request) -> SubmitOut:
    return SubmitOut(
        task_id=job.id,
        status=status_word(job),
        message="Task submitted successfully; poll status_url until it is completed.",
        text_length=job.characters,
        voice=job.request["voice"],
        character=character_of(job),
        chunks_total=job.chunks_total,
        created_at=job.created_at,
        status_url=public_url(request, f"/tts/long/status/{job.id}"),
    )


def task_out(job: JobView, srt: str | None, request: Request) -> TaskOut:
    """`srt` is the task's subtitles once it has completed."""
    done = job.status == "succeeded"
    base = f"/v1/tts/jobs/{job.id}"
    audio_url = public_url(request, f"{base}/audio") if done else None
    srt_url = public_url(request, f"{base}/subtitles.srt") if done else None
    result = None
    if done:
        result = {
            "duration": round(job.duration, 3) if job.duration is not None else None,
            "format": job.request["format"],
            "sample_rate": job.request["sample_rate"],
            "audio_url": audio_url,
            "srt_url": srt_url,
            "vtt_url": public_url(request, f"{base}/subtitles.vtt"),
            "timings_url": public_url(request, f"{base}/timings.json"),
        }
    return TaskOut(
        task_id=job.id,
        status=status_word(job),
        progress=job.percent,
        chunks_done=job.chunks_done,
        chunks_total=job.chunks_total,
        eta_seconds=job.eta_seconds,
        text_length=job.characters,
        voice=job.request["voice"],
        character=character_of(job),
        payload={
            **{k: v for k, v in job.request.items() if k != "labels"},
            "priority": job.priority,
        },
        result=result,
        audio_url=audio_url,
        srt_url=srt_url,
        srt_content=srt,
        error_message=job.error,
        retry_count=job.retries + job.manual_retries,
        callback_url=job.callback_url,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        completed_at=job.finished_at,
    )
