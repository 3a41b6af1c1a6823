"""Request and response bodies of the long-text job routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voxhub.api.schemas.fields import JobText, Text
from voxhub.api.schemas.tts import TTSRequest
from voxhub.db.repositories.job_views import STATUSES


class JobRequest(TTSRequest):
    text: JobText = Field(description="Text to speak, up to 50,000 characters.")
    callback_url: Text | None = Field(
        None,
        max_length=2048,
        json_schema_extra={"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"},
        description="http(s) URL POSTed a signed JSON event when the job succeeds, fails or "
        "is cancelled; private, loopback and link-local addresses are refused.",
    )
    callback_progress: bool = Field(
        False, description="Also POST to callback_url on every status change and chunk done."
    )
    priority: int = Field(
        5, ge=0, le=9, description="0-9, higher runs first where the broker supports it."
    )


class JobProgress(BaseModel):
    chunks_done: int
    chunks_total: int
    percent: float
    eta_seconds: float | None = Field(None, description="Estimated seconds until done.")


class WebhookAttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's answer; null when none came.")
    error: str | None
    duration_ms: int


class WebhookOut(BaseModel):
    id: str = Field(description="Idempotency id: the Voxhub-Delivery header of every attempt.")
    event: str = Field(description="job.succeeded, job.failed, job.cancelled or job.progress")
    url: str
    status: str = Field(description="pending, delivering, delivered or failed")
    next_attempt_at: datetime | None = Field(description="When a pending delivery is retried.")
    created_at: datetime
    delivered_at: datetime | None
    attempts: list[WebhookAttemptOut]


class JobLinks(BaseModel):
    """Where the job and its results are: GET the first five, POST to cancel and retry."""

    self: str = Field(description="GET: the job.")
    audio: str = Field(description="GET: its audio, once succeeded.")
    srt: str = Field(description="GET: its SubRip subtitles, once succeeded.")
    vtt: str = Field(description="GET: its WebVTT subtitles, once succeeded.")
    timings: str = Field(description="GET: its sentence and word timings, once succeeded.")
    cancel: str = Field(description="POST (no body): cancel it while queued or running.")
    retry: str = Field(description="POST (no body): run it again once failed or cancelled.")


class JobOut(BaseModel):
    id: str
    status: str = Field(
        description="queued, running, retrying, succeeded, failed or cancelled",
        json_schema_extra={"enum": list(STATUSES)},
    )
    dead_lettered: bool = Field(description="Failed after exhausting its retries.")
    characters: int
    progress: JobProgress
    attempts: int = Field(
        description="Attempts of the job: 0 before it starts, then 1 plus each automatic "
        "retry of one of its chunks; a manual retry (counted in manual_retries) starts over."
    )
    manual_retries: int
    error: str | None
    voice: str
    language: str
    format: str
    sample_rate: int
    priority: int
    callback_url: str | None
    callback_progress: bool = False
    webhooks: list[WebhookOut] | None = Field(
        None, description="Callback deliveries and their attempts (on GET of one job only)."
    )
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


class PurgeRequest(BaseModel):
    model_config = {"extra": "forbid"}

    older_than: str = Field(
        "7d",
        max_length=32,
        pattern=r"^\s*\d{1,6}(\.\d{1,3})?\s*[dhmswDHMSW]?\s*$",
        description="Age of finished jobs to remove: 7d, 12h, 30m, 90s, 2w or a number of days.",
    )


class PurgeReport(BaseModel):
    removed: list[str] = Field(description="Ids of the jobs removed.")
    files: int = Field(description="Files removed from storage with them.")
    older_than: str
