"""The cloning backend's tasks as voxhub jobs: bodies, envelopes, status words, task views."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from voxhub.api.errors import status_for
from voxhub.api.schemas.fields import JSON_BODY, SPOKEN, TEXT, Documented, JobText, NonBlank, Text
from voxhub.container import Container
from voxhub.db.repositories.job_views import TERMINAL, JobView
from voxhub.engines.tts.base import SynthesisParams
from voxhub.errors import EmptyText, InvalidInput, VoxhubError
from voxhub.services.events.stream import EventSignals, StreamStart, job_events
from voxhub.services.synthesis import SynthesisRequest

# the job label that keeps the templateId a task was created with
TEMPLATE_LABEL = "templateId"
# voxhub's job statuses in the cloning backend's words; it had no cancel, and a cancelled
# task is retried like a failed one, so its clients see it as failed
STATUS_WORDS = {
    "queued": "queued",
    "running": "processing",
    "retrying": "retrying",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "failed",
}
CANCELLED = "The task was cancelled."


def _required(*names: str) -> Callable[[dict[str, Any]], None]:
    """The document says these fields are required, and not null: the route checks them
    itself, so that a missing one is answered in the backend's own words (422)."""

    def document(schema: dict[str, Any]) -> None:
        schema["required"] = list(names)
        for name in names:
            field = schema["properties"][name]
            field.pop("default", None)
            field["anyOf"] = [s for s in field["anyOf"] if s.get("type") != "null"]
            for alternative in field["anyOf"]:
                if alternative.get("type") == "string":
                    alternative.setdefault("pattern", SPOKEN)

    return document


# a template id: printable ASCII without ':', not starting with '.' or a space (the service
# takes more, but a template is found only by an id or alias it was registered with)
TEMPLATE_ID = r"^[!-\-/-9;-~][ -9;-~]{0,199}$"


class GenerateBody(BaseModel):
    model_config = ConfigDict(**JSON_BODY, json_schema_extra=_required("templateId", "tts_text"))

    # a JavaScript client may send a numeric id
    template_id: Annotated[str | int | None, TEXT, Documented({"pattern": TEMPLATE_ID})] = Field(
        None, alias="templateId"
    )
    tts_text: JobText | None = None
    instruction: Text | None = Field(None, max_length=500)

    def template(self) -> str:
        if self.template_id is None or str(self.template_id).strip() == "":
            raise InvalidInput("templateId is required: the id of the voice template to speak.")
        return str(self.template_id).strip()

    def text(self) -> str:
        if self.tts_text is None or not self.tts_text.strip():
            raise EmptyText("tts_text is empty: send the text to speak in `tts_text`.")
        return self.tts_text

    def to_request(self, voice_id: str) -> SynthesisRequest:
        return SynthesisRequest(
            text=self.text(),
            voice=voice_id,
            format="wav",
            params=SynthesisParams(instruction=self.instruction),
            # the template's own defaults (its instruction too) fill what is not sent
            given=frozenset({"instruction"} if self.instruction else ()),
        )


class RetryBody(BaseModel):
    model_config = ConfigDict(**JSON_BODY, json_schema_extra=_required("taskId"))

    task_id: NonBlank | None = Field(None, alias="taskId")
    template_id: Annotated[str | int | None, TEXT] = Field(None, alias="templateId")
    tts_text: Text | None = None

    def task(self) -> str:
        if not self.task_id or not self.task_id.strip():
            raise InvalidInput("taskId is required: the id POST /api/tts answered with.")
        return self.task_id.strip()


class CloningErrorOut(BaseModel):
    """The cloning backend's error envelope, whatever the status."""

    success: Literal[False]
    error: str
    task_id: str | None = Field(None, alias="taskId", description="The task it is about.")


def success(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


def failure(message: str, task_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "error": message}
    if task_id is not None:
        body["taskId"] = task_id
    return body


def envelope_shape(status: int, code: str, message: str) -> dict[str, Any]:
    """The cloning backend's error body: `{success: false, error}`, whatever the status."""
    return failure(message)


def task_error(error: VoxhubError, task_id: str) -> JSONResponse:
    """An error about one task: the same status as anywhere, the envelope names the task."""
    return JSONResponse(failure(error.message, task_id), status_code=status_for(error))


def js_time(value: datetime | str) -> str:
    """As JavaScript's Date.toISOString() writes it: UTC, milliseconds, a trailing Z."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def template_of(job: JobView) -> str:
    """The templateId the task was created with; for other jobs, the voice they speak."""
    labels = job.request.get("labels") or {}
    return str(labels.get(TEMPLATE_LABEL) or job.request.get("voice") or "")


def task_view(job: JobView, text: str, audio_url: str) -> dict[str, Any]:
    """GET /api/tts/task/{taskId}'s `data`, also the first `task_update` of a task's events."""
    error = CANCELLED if job.status == "cancelled" else job.error
    return {
        "taskId": job.id,
        "status": status_word(job.status),
        "templateId": template_of(job),
        "ttsText": text,
        "audioUrl": audio_url if job.status == "succeeded" else None,
        "createdAt": js_time(job.created_at),
        "completedAt": js_time(job.finished_at)
        if job.status in TERMINAL and job.finished_at is not None
        else None,
        "error": error if job.status in ("failed", "cancelled") else None,
    }


async def settle(
    container: Container, signals: EventSignals, job_id: str, seconds: float
) -> str | None:
    """The job's status once it has ended or begun waiting to retry a failure, or None
    while it is still queued or running after `seconds`. Read from the job's event log,
    so a retry that passes quickly is seen too."""
    events = job_events(
        container.event_log, signals, container.settings.events, job_id, StreamStart(0, None)
    )
    with anyio.move_on_after(seconds):
        async with aclosing(events):
            async for event in events:
                status = event.data.get("status")
                if status in TERMINAL or status == "retrying":
                    return str(status)
    return None
