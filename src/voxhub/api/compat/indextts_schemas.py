"""Request and response bodies of the IndexTTS server's routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from voxhub.api.schemas.fields import JobText, OnlineText, Text
from voxhub.api.schemas.jobs import JobRequest
from voxhub.api.schemas.tts import TTSRequest

# that server took pydantic's lax values ("1.2" or true for a number): its clients may send them
_LAX = ConfigDict(strict=False)
_CHARACTER = (
    "The voice: female or male (女声, 男声, …) for a voice of that gender in the text's "
    "language, a registered voice's id or alias, or an ENGINE:NAME id (GET /voices lists "
    "them); the default voice when empty."
)


class OnlineRequest(TTSRequest):
    """IndexTTS's online request; voxhub's own fields (format, language, …) work too."""

    model_config = _LAX

    text: OnlineText = Field(description="Text to speak, at most 300 characters.")
    character: Text | None = Field(None, description=_CHARACTER)
    callback_url: Text | None = Field(
        None,
        max_length=2048,
        description="Accepted and not called: the answer itself carries the result.",
    )


class LongRequest(JobRequest):
    """IndexTTS's long-text request: a voxhub job."""

    model_config = _LAX

    text: JobText = Field(description="Text to speak, at most 50,000 characters.")
    character: Text | None = Field(None, description=_CHARACTER)


class OnlineOut(BaseModel):
    task_id: str = Field(description="The result's id; its audio is at audio_url.")
    status: Literal["completed"] = "completed"
    audio_url: str
    audio_base64: str | None = Field(
        None, description="The audio file itself, base64 (unless the server turned it off)."
    )
    srt_content: str = Field(description="SubRip subtitles timed on the audio.")
    srt: str = Field(description="The same subtitles, under the name older clients read.")
    format: str
    media_type: str
    sample_rate: int
    duration: float = Field(description="Seconds of audio.")
    processing_time: float = Field(description="Seconds from request to answer.")
    voice: str = Field(description="The voice that spoke, ENGINE:NAME or a registered id.")
    character: str | None = Field(description="The character as requested.")
    language: str
    text_length: int


class SubmitOut(BaseModel):
    task_id: str
    status: str = Field(description="pending, processing, completed, failed or cancelled")
    message: str
    text_length: int
    voice: str
    character: str | None
    chunks_total: int
    created_at: datetime
    status_url: str


class TaskOut(BaseModel):
    """A long-text task as IndexTTS's `tts_tasks` row showed it, with voxhub's progress."""

    task_id: str
    task_type: Literal["long_text"] = "long_text"
    status: str = Field(description="pending, processing, completed, failed or cancelled")
    progress: float = Field(description="Percent of the text spoken, 0-100.")
    chunks_done: int
    chunks_total: int
    eta_seconds: float | None
    text_length: int
    voice: str = Field(description="The voice that speaks, ENGINE:NAME or a registered id.")
    character: str | None = Field(description="The character as submitted.")
    payload: dict[str, Any] = Field(description="The synthesis settings the task runs with.")
    result: dict[str, Any] | None = Field(description="Duration, format and links, once done.")
    audio_url: str | None
    srt_url: str | None
    srt_content: str | None
    error_message: str | None
    retry_count: int = Field(description="Automatic retries of its parts plus manual retries.")
    callback_url: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class VoiceDetail(BaseModel):
    kind: Literal["generic", "engine", "registered"]
    id: str | None = Field(description="The voice id; none for generic names.")
    engine: str | None
    languages: list[str]
    gender: str | None
    description: str
    aliases: list[str] = Field(default_factory=list)
    resolves_to: dict[str, str] | None = Field(
        None, description="Generic names: the voice id spoken for each language."
    )


class VoicesOut(BaseModel):
    voices: list[str] = Field(description="Every name a request's `character` accepts.")
    total: int
    details: dict[str, VoiceDetail]
    defaults: dict[str, str] = Field(description="The voice of each language when none is named.")
