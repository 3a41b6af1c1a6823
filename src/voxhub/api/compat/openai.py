"""OpenAI's audio API: POST /v1/audio/transcriptions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response
from fastapi.responses import JSONResponse

from voxhub.api.deps import ContainerDep, FileLimiterDep, TranscriberDep
from voxhub.api.routes.transcription import AudioFile, text_response, transcribe_upload
from voxhub.api.schemas.transcription import OpenAITranscriptionOut
from voxhub.services.transcripts import FORMATS, MEDIA_TYPES, check_format, openai_verbose_json

router = APIRouter(tags=["compatibility"])

OPENAI_FORMATS = (*FORMATS, "verbose_json")
# the model name OpenAI clients send; it means the default engine here
OPENAI_MODEL = "whisper-1"


@router.post(
    "/v1/audio/transcriptions",
    response_model=OpenAITranscriptionOut,
    summary="Transcribe a recording (OpenAI-compatible)",
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS if f != "json"}}},
)
async def openai_transcribe_file(
    container: ContainerDep,
    transcriber: TranscriberDep,
    limiter: FileLimiterDep,
    file: AudioFile,
    model: Annotated[
        str, Form(description=f"{OPENAI_MODEL} (the default engine) or an engine name")
    ] = OPENAI_MODEL,
    language: Annotated[str | None, Form(description="ISO-639-1: zh or en")] = None,
    response_format: Annotated[
        str, Form(description="json, text, srt, vtt or verbose_json")
    ] = "json",
    granularities: Annotated[
        list[str] | None,
        Form(alias="timestamp_granularities[]", description="word and/or segment"),
    ] = None,
    prompt: Annotated[str | None, Form(description="accepted and ignored")] = None,
    temperature: Annotated[float | None, Form(description="accepted and ignored")] = None,
) -> Response:
    fmt = check_format(response_format, OPENAI_FORMATS)
    wanted = set(granularities or ["segment"])
    words = fmt in ("srt", "vtt") or (fmt == "verbose_json" and "word" in wanted)
    engine = None if model == OPENAI_MODEL else model
    result = await transcribe_upload(transcriber, limiter, file, engine, language, words)
    transcript = result.transcript
    if fmt == "json":
        return JSONResponse({"text": transcript.text})
    if fmt == "verbose_json":
        return JSONResponse(
            openai_verbose_json(transcript, segments="segment" in wanted, words="word" in wanted)
        )
    return text_response(container.cue_rules, result, fmt)
