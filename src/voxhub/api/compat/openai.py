"""OpenAI's audio API: POST /v1/audio/speech and /v1/audio/transcriptions, GET /v1/models."""

from __future__ import annotations

import math
import zlib
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Response
from fastapi.responses import JSONResponse, StreamingResponse

from voxhub.api.auth import AccessDep, require
from voxhub.api.compat.openai_errors import OpenAIErrorOut, openai_shape
from voxhub.api.compat.openai_models import find_model, models
from voxhub.api.compat.openai_speech import (
    MAX_INPUT,
    SpeechRequest,
    resolve_voice,
    speech_events,
)
from voxhub.api.deps import ContainerDep, FileLimiterDep, OnlineDep, TranscriberDep
from voxhub.api.errors import shaped_routes
from voxhub.api.routes.transcription import AudioFile, text_response, transcribe_upload
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import TEXT, Documented, Text
from voxhub.api.schemas.transcription import OpenAITranscriptionOut
from voxhub.engines.asr.base import RecognizedSegment, Transcript
from voxhub.services.recognition.hotwords import caller_prompt
from voxhub.services.transcripts import FORMATS, check_format, openai_verbose_json

# errors on these routes are OpenAI's error object, with voxhub's status codes and codes
# OpenAI answers invalid requests with 400, and its SDK raises BadRequestError for them
router = APIRouter(
    tags=["compatibility"],
    route_class=shaped_routes(openai_shape, statuses={422: 400}, body=OpenAIErrorOut),
)

OPENAI_FORMATS = (*FORMATS, "verbose_json")
OpenAIFormat = Annotated[str, TEXT, Documented({"enum": list(OPENAI_FORMATS)})]
OpenAILanguage = Annotated[str, TEXT, Documented({"enum": ["zh", "en"]})]
# the model name OpenAI clients send; it means the default engine here
OPENAI_MODEL = "whisper-1"


@router.post(
    "/v1/audio/speech",
    response_class=StreamingResponse,
    summary="Speak text (OpenAI-compatible), streamed as it is synthesized",
    dependencies=[require("tts")],
    responses={
        200: {
            "description": "The audio in response_format, or with stream_format=sse its events.",
            "content": {
                **media.content(media.AUDIO_TYPES)["content"],
                media.EVENT_STREAM: media.sse_event(
                    ("speech.audio.delta", "speech.audio.done", "error")
                ),
            },
        }
    },
)
async def openai_speech(
    body: SpeechRequest, container: ContainerDep, online: OnlineDep, access: AccessDep
) -> StreamingResponse:
    """Up to 4,096 characters, as OpenAI takes: longer than /v1/tts's online limit, the text
    still goes through online synthesis and its admission control (the long-text class,
    with a deadline that grows with the text), and the audio streams sentence by sentence."""
    voice = await anyio.to_thread.run_sync(resolve_voice, container, body, access)
    audio = await online.stream(body.synthesis_request(voice), access, max_chars=MAX_INPUT)
    headers = {
        "X-Voxhub-Voice": audio.plan.voice.id,
        "X-Voxhub-Language": audio.plan.language,
        "X-Voxhub-Sample-Rate": str(audio.plan.sample_rate),
        "Cache-Control": "no-store",
    }
    if body.stream_format == "sse":
        # proxies such as nginx must pass each event on as it comes
        headers["X-Accel-Buffering"] = "no"
        events = speech_events(audio.chunks, len(body.input))
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    return StreamingResponse(audio.chunks, media_type=audio.media_type, headers=headers)


@router.get(
    "/v1/models",
    summary="Models (OpenAI-compatible): OpenAI's names and voxhub's engines",
    dependencies=[require(None)],
)
async def openai_models(container: ContainerDep) -> dict[str, Any]:
    return {"object": "list", "data": [model.to_json() for model in models(container)]}


@router.get(
    "/v1/models/{model_id}",
    summary="One model (OpenAI-compatible)",
    dependencies=[require(None)],
)
async def openai_model(model_id: str, container: ContainerDep) -> dict[str, Any]:
    return find_model(container, model_id).to_json()


@router.post(
    "/v1/audio/transcriptions",
    response_model=OpenAITranscriptionOut,
    summary="Transcribe a recording (OpenAI-compatible)",
    dependencies=[require("asr")],
    responses={200: media.content(media.TEXT_TRANSCRIPT_TYPES, media.TEXT)},
)
async def openai_transcribe_file(
    container: ContainerDep,
    transcriber: TranscriberDep,
    limiter: FileLimiterDep,
    file: AudioFile,
    model: Annotated[
        Text,
        Form(
            description=f"{OPENAI_MODEL} or gpt-4o(-mini)-transcribe (the default engine), "
            "or an engine name"
        ),
    ] = OPENAI_MODEL,
    language: Annotated[OpenAILanguage | None, Form(description="ISO-639-1: zh or en")] = None,
    response_format: Annotated[
        OpenAIFormat, Form(description="json, text, srt, vtt or verbose_json")
    ] = "json",
    granularities: Annotated[
        list[Text] | None,
        Form(alias="timestamp_granularities[]", description="word and/or segment"),
    ] = None,
    prompt: Annotated[
        Text | None,
        Form(description="words or text to expect (names, terms, the previous passage)"),
    ] = None,
    temperature: Annotated[float | None, Form(description="accepted and ignored")] = None,
) -> Response:
    fmt = check_format(response_format, OPENAI_FORMATS)
    engine = find_model(container, model, "transcription").engine
    wanted = set(granularities or ["segment"])
    words = fmt in ("srt", "vtt") or (fmt == "verbose_json" and "word" in wanted)
    result = await transcribe_upload(
        transcriber, limiter, file, engine, language, words, caller_prompt(prompt)
    )
    transcript = result.transcript
    if fmt == "json":
        return JSONResponse({"text": transcript.text})
    if fmt == "verbose_json":
        return JSONResponse(_verbose(transcript, wanted))
    return text_response(container.cue_rules, result, fmt)


def _verbose(transcript: Transcript, wanted: set[str]) -> dict[str, Any]:
    """OpenAI's verbose_json, its segments complete with the fields OpenAI's SDK reads."""
    body = openai_verbose_json(transcript, segments="segment" in wanted, words="word" in wanted)
    if "segments" in body:
        for segment, recognized in zip(body["segments"], transcript.segments, strict=True):
            segment.update(_segment_scores(recognized))
    body["usage"] = {"type": "duration", "seconds": body["duration"]}
    return body


def _segment_scores(segment: RecognizedSegment) -> dict[str, Any]:
    """What voxhub can say of a segment's quality; it has no token ids or no-speech odds
    (silence was cut by the VAD before decoding) and decodes at temperature 0."""
    probabilities = [w.probability for w in segment.words if w.probability is not None]
    text = segment.text.encode()
    return {
        "tokens": [],
        "temperature": 0.0,
        # the words' mean log probability, 0 when the engine gives none
        "avg_logprob": round(
            sum(math.log(max(p, 1e-6)) for p in probabilities) / len(probabilities), 4
        )
        if probabilities
        else 0.0,
        # as whisper measures repetition: the text's size over its zlib-compressed size
        "compression_ratio": round(len(text) / len(zlib.compress(text)), 4) if text else 0.0,
        "no_speech_prob": 0.0,
    }
