"""Request and response bodies of the long-text job routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voxhub.api.schemas import TTSRequest


class JobRequest(TTSRequest):
    text: str = Field(description="Text to speak, up to 50,000 characters.")
    callback_url: str | None = Field(
        None, max_length=2048, description="Called with the job's result when it ends."
    )
    priority: int = Field(
        5, ge=0, le=9, description="0-9, higher runs first where the broker supports it."
    )


class JobProgress(BaseModel):
    chunks_done: int
    chunks_total: int
    percent: float
    eta_seconds: float | None = Field(None, description="Estimated seconds until done.")


class JobLinks(BaseModel):
    self: str
    audio: str
    srt: str
    vtt: str
    timings: str
    cancel: str
    retry: str


class JobOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, retrying, succeeded, failed or cancelled")
    dead_lettered: bool = Field(description="Failed after exhausting its retries.")
    characters: int
    progress: JobProgress
    attempts: int = Field(description="Chunk attempts so far, retries included.")
    manual_retries: int
    error: str | None
    voice: str
    language: str
    format: str
    sample_rate: int
    priority: int
    callback_url: str | None
    duration: float | None = Field(None, description="Seconds of audio, once succeeded.")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    urls: JobLinks


class JobList(BaseModel):
    jobs: list[JobOut]
    total: int
    limit: int
    offset: int
