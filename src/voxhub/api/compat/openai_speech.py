"""OpenAI's speech request translated onto online synthesis, and its Server-Sent Events."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from voxhub.access import Access
from voxhub.api.compat.openai_errors import error_object
from voxhub.api.compat.openai_models import find_model
from voxhub.api.compat.openai_voices import is_openai_voice, openai_voice
from voxhub.api.errors import status_for
from voxhub.api.schemas.fields import JSON_BODY, TEXT, NonBlank, Text
from voxhub.container import Container
from voxhub.engines.tts.base import SynthesisParams
from voxhub.errors import VoxhubError
from voxhub.services.synthesis import SynthesisRequest
from voxhub.text.language import detect_language

log = logging.getLogger("voxhub.openai")

# OpenAI's limit on `input`: longer than voxhub's online limit, see the route
MAX_INPUT = 4096
# OpenAI speaks at 24 kHz in every format, and raw pcm carries nothing that says otherwise
SAMPLE_RATE = 24_000


class VoiceId(BaseModel):
    id: Text = Field(description="a voxhub voice id or alias (OpenAI's custom voice object)")


class SpeechRequest(BaseModel):
    """The body of OpenAI's `POST /v1/audio/speech`."""

    model_config = JSON_BODY

    model: Text = Field(description="tts-1, tts-1-hd, gpt-4o-mini-tts, or a voxhub engine name")
    input: NonBlank = Field(max_length=MAX_INPUT, description="the text to speak")
    voice: Annotated[str | VoiceId, TEXT] = Field(
        description="an OpenAI voice (alloy, ash, ballad, coral, echo, fable, nova, onyx, sage, "
        "shimmer, verse, marin, cedar), or any voxhub voice id or alias"
    )
    instructions: Text | None = Field(
        None, max_length=MAX_INPUT, description="passed to engines that take an instruction"
    )
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = Field(
        "mp3", description="pcm is raw 16-bit little-endian mono at 24 kHz"
    )
    speed: float = Field(
        1.0, ge=0.25, le=4.0, description="engines speak at 0.5-2.0 and hold it to that range"
    )
    stream_format: Literal["sse", "audio"] = Field(
        "audio", description="audio: the file's bytes as they are encoded; sse: base64 events"
    )

    def voice_name(self) -> str:
        return self.voice if isinstance(self.voice, str) else self.voice.id

    def synthesis_request(self, voice: str) -> SynthesisRequest:
        given = {"speed": "speed", "instructions": "instruction"}
        return SynthesisRequest(
            text=self.input,
            voice=voice,
            format=self.response_format,
            sample_rate=SAMPLE_RATE,
            params=SynthesisParams(speed=self.speed, instruction=self.instructions),
            # a registered voice's defaults fill the knobs this request left out
            given=frozenset(given[name] for name in self.model_fields_set & set(given)),
        )


def resolve_voice(container: Container, body: SpeechRequest, access: Access) -> str:
    """The voxhub voice `body` speaks with (blocking: reads the registry, may load an engine).

    A registered voice or alias wins over OpenAI's names, so a deployment can give `alloy`
    a voice of its own; other OpenAI names pick a voice of the model's engine for the
    input's language; anything else is a voxhub voice id or alias, resolved as on /v1/tts.
    """
    model = find_model(container, body.model, "speech")
    name = body.voice_name()
    if not is_openai_voice(name) or container.voice_registry.find(name, access) is not None:
        return name
    engine = container.engines.get(model.engine)
    return openai_voice(engine, name, detect_language(body.input)).id


async def speech_events(chunks: AsyncIterator[bytes], characters: int) -> AsyncIterator[bytes]:
    """A `speech.audio.delta` per encoded chunk, then `speech.audio.done`.

    A failure after the stream began cannot change the status any more: it ends the
    stream with an `error` event carrying OpenAI's error object instead of `done`.
    """
    try:
        async for chunk in chunks:
            yield _event("speech.audio.delta", audio=base64.b64encode(chunk).decode("ascii"))
    except VoxhubError as exc:
        log.warning("speech stream failed: %s: %s", exc.code, exc.message)
        yield _event("error", error=error_object(status_for(exc), exc.code, exc.message))
        return
    # voxhub does not tokenize: the input is counted in characters, the audio not at all
    usage = {"input_tokens": characters, "output_tokens": 0, "total_tokens": characters}
    yield _event("speech.audio.done", usage=usage)


def _event(kind: str, **fields: Any) -> bytes:
    data = json.dumps({"type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))
    return f"event: {kind}\ndata: {data}\n\n".encode()
