"""Typed results of the voxhub client, parsed from the server's JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from voxhub.client.sse import ServerSentEvent

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


class _Model(BaseModel):
    # fields a newer server adds must not break an older client
    model_config = ConfigDict(frozen=True, extra="ignore")


class Word(_Model):
    text: str
    start: float
    end: float


class Sentence(_Model):
    text: str
    start: float
    end: float


class Cue(_Model):
    index: int
    start: float
    end: float
    text: str


class Speech(_Model):
    """The result of online synthesis: the audio itself plus its subtitles and timings."""

    id: str
    audio: bytes = b""
    audio_url: str
    format: str
    media_type: str
    duration: float
    sample_rate: int
    voice: str
    language: str
    srt: str
    vtt: str | None = None
    cues: list[Cue] | None = None
    words: list[Word] = []
    sentences: list[Sentence] = []


class Voice(_Model):
    """An engine's own voice (`kind` "engine") or a registered one ("registered")."""

    id: str
    name: str
    engine: str
    language: str
    languages: list[str] = []
    gender: str | None = None
    description: str = ""
    kind: str = "engine"
    cloning: bool = False
    aliases: list[str] = []
    engine_voice: str | None = None
    transcript: str | None = None
    defaults: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sample_url: str | None = None


class Progress(_Model):
    chunks_done: int
    chunks_total: int
    percent: float
    eta_seconds: float | None = None


class JobProgress(Progress):
    """Where a job stands, as its status and progress events report it."""

    job_id: str
    status: str
    error: str | None = None
    dead_lettered: bool = False
    time: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class JobUrls(_Model):
    self: str
    audio: str
    srt: str
    vtt: str
    timings: str
    cancel: str
    retry: str


class Job(_Model):
    id: str
    status: str
    dead_lettered: bool = False
    characters: int
    progress: Progress
    attempts: int = 0
    manual_retries: int = 0
    error: str | None = None
    voice: str
    language: str
    format: str
    sample_rate: int
    priority: int
    callback_url: str | None = None
    duration: float | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    urls: JobUrls

    @property
    def terminal(self) -> bool:
        """Succeeded, failed or cancelled: nothing more happens unless it is retried."""
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def to_progress(self) -> JobProgress:
        return JobProgress(
            **self.progress.model_dump(),
            job_id=self.id,
            status=self.status,
            error=self.error,
            dead_lettered=self.dead_lettered,
            time=self.updated_at,
        )


class Token(_Model):
    """A short-lived token acting for the client's API key, for a URL that cannot carry a
    header (a browser's EventSource, WebSocket or `<audio src>`): add `query` to the URL."""

    token: str
    expires_at: datetime
    expires_in: int
    # "token=vxt_…", the query parameter to add
    query: str


class JobPage(_Model):
    jobs: list[Job]
    total: int
    limit: int
    offset: int


class PurgeReport(_Model):
    """What `purge_jobs` removed: the jobs' ids and the number of files."""

    removed: list[str]
    files: int
    older_than: str


class JobEvent(_Model):
    """One event of a job's stream: `snapshot` (with `job`), `status`, `progress` (with
    `progress`) or `heartbeat`; `id` is the cursor a reconnecting client resumes from."""

    id: int | None
    event: str
    data: dict[str, Any]
    job: Job | None = None
    progress: JobProgress | None = None

    @property
    def terminal(self) -> bool:
        """The job has ended: the server closes a job's stream after this event."""
        return self.progress is not None and self.progress.terminal

    @classmethod
    def parse(cls, sse: ServerSentEvent) -> JobEvent:
        data = json.loads(sse.data) if sse.data else {}
        if not isinstance(data, dict):
            data = {"value": data}
        job = Job.model_validate(data) if sse.event == "snapshot" else None
        progress = job.to_progress() if job is not None else None
        if sse.event in ("status", "progress"):
            progress = JobProgress.model_validate(data)
        cursor = int(sse.id) if sse.id and sse.id.isdigit() else None
        return cls(id=cursor, event=sse.event, data=data, job=job, progress=progress)
