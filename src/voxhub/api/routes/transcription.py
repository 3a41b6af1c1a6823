"""File transcription: POST /v1/asr/transcriptions."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse

from voxhub.api.auth import require
from voxhub.api.deps import ContainerDep, FileLimiterDep, TranscriberDep
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import TEXT, Documented, Text
from voxhub.api.schemas.transcription import TranscriptionOut
from voxhub.services.recognition.hotwords import form_hotwords_prompt
from voxhub.services.transcription import FileTranscript, Transcriber
from voxhub.services.transcripts import (
    FORMATS,
    MEDIA_TYPES,
    check_format,
    render_text,
    transcript_json,
)
from voxhub.subtitles.cues import CueRules

router = APIRouter(tags=["speech recognition"], dependencies=[require("asr")])

AudioFile = Annotated[
    UploadFile, File(description="the recording: wav, mp3, ogg/opus, webm, flac, m4a, ...")
]
# "auto" (or nothing) lets the engine detect it
SpokenLanguage = Annotated[str, TEXT, Documented({"enum": ["zh", "en", "auto"]})]
TranscriptFormat = Annotated[str, TEXT, Documented({"enum": list(FORMATS)})]


@router.post(
    "/v1/asr/transcriptions",
    response_model=TranscriptionOut,
    summary="Transcribe a recording",
    responses={200: media.content(media.TEXT_TRANSCRIPT_TYPES, media.TEXT)},
)
async def transcribe_file(
    container: ContainerDep,
    transcriber: TranscriberDep,
    limiter: FileLimiterDep,
    file: AudioFile,
    language: Annotated[
        SpokenLanguage | None, Form(description='"zh", "en" or "auto" (detect; whisper only)')
    ] = None,
    engine: Annotated[Text | None, Form(description="whisper (default) or pocketsphinx")] = None,
    word_timestamps: Annotated[bool, Form(description="include each word's times")] = True,
    response_format: Annotated[
        TranscriptFormat, Form(description="json, text, srt or vtt")
    ] = "json",
    hotwords: Annotated[
        Text | None,
        Form(
            description="names and terms to expect, separated by commas or lines "
            '("Kubernetes, 司马懿"), or FunASR\'s {"word": weight}; whisper only, at most 100'
        ),
    ] = None,
) -> Response:
    fmt = check_format(response_format)
    prompt = form_hotwords_prompt(hotwords)
    result = await transcribe_upload(
        transcriber, limiter, file, engine, language, word_timestamps, prompt
    )
    if fmt == "json":
        body = {**transcript_json(result.transcript, word_timestamps), "engine": result.engine}
        if prompt is not None:
            body["hotwords_applied"] = result.prompted
        return JSONResponse(body, headers=_hotwords_header(prompt, result))
    response = text_response(container.cue_rules, result, fmt)
    response.headers.update(_hotwords_header(prompt, result))
    return response


def _hotwords_header(prompt: str | None, result: FileTranscript) -> dict[str, str]:
    if prompt is None:
        return {}
    return {"X-Voxhub-Hotwords": "applied" if result.prompted else "ignored"}


async def transcribe_upload(
    transcriber: Transcriber,
    limiter: anyio.CapacityLimiter,
    file: UploadFile,
    engine: str | None,
    language: str | None,
    word_timestamps: bool,
    prompt: str | None = None,
) -> FileTranscript:
    """Read an upload no further than the size limit, then transcribe it."""
    limit = transcriber.limits.max_bytes
    if file.size is not None:
        transcriber.check_size(file.size)
    data = await file.read(limit + 1)
    return await transcriber.transcribe(
        data, engine or None, language or None, word_timestamps, limiter, prompt
    )


def text_response(rules: CueRules, result: FileTranscript, fmt: str) -> Response:
    text = render_text(result.transcript, fmt, rules)
    return Response(text, media_type=MEDIA_TYPES[fmt], headers={"X-Voxhub-Engine": result.engine})
