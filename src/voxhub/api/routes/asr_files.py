"""File transcription: voxhub's route and the OpenAI-compatible one."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from voxhub.api.deps import ContainerDep
from voxhub.api.transcription_schemas import OpenAITranscriptionOut, TranscriptionOut
from voxhub.asr.output import (
    FORMATS,
    MEDIA_TYPES,
    check_format,
    openai_verbose_json,
    render_text,
    transcript_json,
)
from voxhub.container import Container
from voxhub.services.transcription import FileTranscript, Transcriber, TranscriptionLimits

router = APIRouter(tags=["speech recognition"])

OPENAI_FORMATS = (*FORMATS, "verbose_json")
# the model name OpenAI clients send; it means the default engine here
OPENAI_MODEL = "whisper-1"

AudioFile = Annotated[
    UploadFile, File(description="the recording: wav, mp3, ogg/opus, webm, flac, m4a, ...")
]


@router.post(
    "/v1/asr/transcriptions",
    response_model=TranscriptionOut,
    summary="Transcribe a recording",
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS if f != "json"}}},
)
async def transcribe_file(
    container: ContainerDep,
    request: Request,
    file: AudioFile,
    language: Annotated[
        str | None, Form(description='"zh", "en" or "auto" (detect; whisper only)')
    ] = None,
    engine: Annotated[str | None, Form(description="whisper (default) or pocketsphinx")] = None,
    word_timestamps: Annotated[bool, Form(description="include each word's times")] = True,
    response_format: Annotated[str, Form(description="json, text, srt or vtt")] = "json",
) -> Response:
    fmt = check_format(response_format)
    result = await _transcribe(container, request, file, engine, language, word_timestamps)
    if fmt == "json":
        body = {**transcript_json(result.transcript, word_timestamps), "engine": result.engine}
        return JSONResponse(body)
    return _text_response(container, result, fmt)


@router.post(
    "/v1/audio/transcriptions",
    response_model=OpenAITranscriptionOut,
    summary="Transcribe a recording (OpenAI-compatible)",
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS if f != "json"}}},
)
async def openai_transcribe_file(
    container: ContainerDep,
    request: Request,
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
    result = await _transcribe(container, request, file, engine, language, words)
    transcript = result.transcript
    if fmt == "json":
        return JSONResponse({"text": transcript.text})
    if fmt == "verbose_json":
        return JSONResponse(
            openai_verbose_json(transcript, segments="segment" in wanted, words="word" in wanted)
        )
    return _text_response(container, result, fmt)


async def _transcribe(
    container: Container,
    request: Request,
    file: UploadFile,
    engine: str | None,
    language: str | None,
    word_timestamps: bool,
) -> FileTranscript:
    transcriber = _transcriber(container)
    limit = transcriber.limits.max_bytes
    if file.size is not None:
        transcriber.check_size(file.size)
    data = await file.read(limit + 1)
    return await transcriber.transcribe(
        data, engine or None, language or None, word_timestamps, _limiter(request, container)
    )


def _text_response(container: Container, result: FileTranscript, fmt: str) -> Response:
    text = render_text(result.transcript, fmt, container.cue_rules)
    return Response(text, media_type=MEDIA_TYPES[fmt], headers={"X-Voxhub-Engine": result.engine})


def _transcriber(container: Container) -> Transcriber:
    asr = container.settings.asr
    limits = TranscriptionLimits(max_bytes=asr.max_upload_bytes, max_seconds=asr.max_file_seconds)
    return Transcriber(container.asr_engines, asr.default, limits)


def _limiter(request: Request, container: Container) -> anyio.CapacityLimiter:
    """Files decoded at once by this app; made on first use, inside the app's event loop."""
    state: Any = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "transcription_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(container.settings.asr.file_concurrency)
        state.transcription_limiter = limiter
    return limiter
