"""Responses that are not JSON, for the OpenAPI document: audio, event streams, text files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from voxhub.audio.formats import AudioFormat
from voxhub.services.jobs.files import RESULT_TYPES
from voxhub.services.transcripts import MEDIA_TYPES as TRANSCRIPT_TYPES
from voxhub.services.voices.references import MEDIA_TYPES as REFERENCE_TYPES

# FastAPI's `responses=` argument
Responses = dict[int | str, dict[str, Any]]

BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
TEXT: dict[str, Any] = {"schema": {"type": "string"}}


def bare(media_type: str) -> str:
    """`type/subtype` without parameters (charset, codecs, rate)."""
    return media_type.split(";", 1)[0].strip()


# every format's media type (pcm is audio/L16; opus comes in Ogg)
AUDIO_TYPES = tuple(dict.fromkeys(bare(fmt.media_type(None)) for fmt in AudioFormat))
REFERENCE_AUDIO_TYPES = tuple(REFERENCE_TYPES.values())
# the transcript formats other than JSON, and a job's result files by name
TEXT_TRANSCRIPT_TYPES = tuple(bare(t) for name, t in TRANSCRIPT_TYPES.items() if name != "json")
RESULT_FILE_TYPES = {name: bare(media_type) for name, media_type in RESULT_TYPES.items()}

EVENT_STREAM = "text/event-stream"


def content(types: Iterable[str], body: dict[str, Any] = BINARY) -> dict[str, Any]:
    return {"content": {media_type: body for media_type in types}}


def audio(description: str, types: Iterable[str] = AUDIO_TYPES) -> Responses:
    """A 200 whose body is an audio file in one of `types`."""
    return {200: {"description": description, **content(types)}}


def sse_event(names: Iterable[str]) -> dict[str, Any]:
    """One Server-Sent Event (the schema of an event stream describes each of its events):
    a name of `names`, JSON data and, for events a client may resume after, an id."""
    return {
        "schema": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "event": {"type": "string", "enum": list(names)},
                "data": {"type": "string", "contentMediaType": "application/json"},
                "id": {"type": "string", "pattern": "^[0-9]+$"},
                "retry": {"type": "integer"},
            },
        }
    }


def event_stream(description: str, names: Iterable[str]) -> Responses:
    """A 200 that is a stream of Server-Sent Events named `names`."""
    return {200: {"description": description, "content": {EVENT_STREAM: sse_event(names)}}}
