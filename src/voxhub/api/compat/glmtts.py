"""The GLM-TTS service's routes: synthesis, health, prompt indexes and concurrency statistics."""

from __future__ import annotations

import base64
import time
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from voxhub.access import EVERYONE
from voxhub.api.auth import AccessDep, require
from voxhub.api.compat.glmtts_schemas import (
    SUCCESS_MESSAGE,
    GLMTTSResponse,
    PromptEntry,
    PromptList,
    audio_path,
    prompt_entry,
    prompt_indexes,
)
from voxhub.api.deps import AdmissionDep, ContainerDep, OnlineDep, metrics_of, public_url
from voxhub.api.errors import detail_shape, shaped_routes
from voxhub.api.schemas.fields import GLMText, SampleRate, Text
from voxhub.engines.tts.base import SynthesisParams
from voxhub.errors import DeadlineExceeded, InvalidInput, VoiceNotFound
from voxhub.services.readiness import Readiness
from voxhub.services.synthesis import SynthesisRequest

# that service was FastAPI: its errors were `{"detail": "..."}`
router = APIRouter(tags=["compatibility"], route_class=shaped_routes(detail_shape))

# the rate that service answered at when a request named none
DEFAULT_SAMPLE_RATE = 24_000
_PROMPT_NEEDS_INDEX = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "dependentSchemas": {
                        "prompt_audio": {
                            "required": ["index"],
                            "properties": {"index": {"minLength": 1}},
                        }
                    }
                }
            }
        }
    }
}
# a GLM-TTS client saw these names for voxhub's length classes
_CLASS_NAMES = {"short": "short_text", "long": "long_text"}


@router.post(
    "/api/v1/tts",
    response_model=GLMTTSResponse,
    summary="Synthesize text (GLM-TTS compatible): base64 WAV in JSON, or WAV bytes",
    responses={200: {"content": {"audio/wav": {}}}},
    dependencies=[require("tts")],
    # a prompt recording is refused unless `index` names the voice registered with it
    openapi_extra=_PROMPT_NEEDS_INDEX,
)
async def glm_tts(
    request: Request,
    online: OnlineDep,
    container: ContainerDep,
    access: AccessDep,
    input_text: Annotated[GLMText, Form(description="the text to speak")],
    index: Annotated[
        Text | None,
        Form(description="a prompt: a registered voice's alias or id, or ENGINE:NAME"),
    ] = None,
    sample_rate: Annotated[SampleRate, Form(description="output rate, Hz")] = DEFAULT_SAMPLE_RATE,
    sampling: Annotated[
        int | None, Form(ge=1, le=100, description="top-k, for engines that sample")
    ] = None,
    prompt_text: Annotated[Text | None, Form(description="only with prompt_audio")] = None,
    prompt_audio: Annotated[
        UploadFile | None,
        File(description="not cloned per request: register the recording as a voice"),
    ] = None,
    seed: Annotated[int, Form(description="accepted and ignored")] = 42,
    use_cache: Annotated[bool, Form(description="accepted and ignored")] = True,
    use_phoneme: Annotated[
        bool, Form(description="accepted and ignored: text is normalized per language")
    ] = False,
    sample_method: Annotated[
        Literal["ras", "topk"], Form(description="accepted and ignored")
    ] = "ras",
    beam_size: Annotated[int, Form(ge=1, le=5, description="accepted and ignored")] = 1,
) -> Response:
    """Speak `input_text` with the voice `index` names, through online synthesis (length
    classes, queue, deadline). JSON as that service answered; `Accept: audio/wav` gets the
    file itself."""
    started = time.perf_counter()
    if prompt_audio is not None and not index:
        raise InvalidInput(
            "Uploaded prompts are not cloned per request. Register the recording once with "
            "POST /v1/voices (audio, transcript, aliases=NAME) and send index=NAME."
        )
    speech = SynthesisRequest(
        text=input_text,
        voice=index or None,
        format="wav",
        sample_rate=sample_rate,
        params=SynthesisParams(top_k=sampling),
        # a registered voice's own top_k stands unless the request set `sampling`
        given=frozenset({"top_k"}) if sampling is not None else frozenset(),
    )
    try:
        limit = container.settings.compat.glmtts_max_chars or None
        result = await online.synthesize(speech, access, limit)
    except DeadlineExceeded as exc:
        raise DeadlineExceeded(_timeout_detail(exc), exc.timeout) from exc
    except VoiceNotFound as exc:
        if not index:
            raise
        raise VoiceNotFound(_unknown_index(index)) from exc
    elapsed = time.perf_counter() - started
    if result.duration > 0:
        metrics_of(request).real_time_factor.labels(result.voice.engine).observe(
            elapsed / result.duration
        )
    if _prefers_audio(request.headers.get("accept", "")):
        headers = {
            "X-Sample-Rate": str(result.sample_rate),
            "X-Generation-Time": f"{elapsed:.2f}",
            "X-Voxhub-Voice": result.voice.id,
        }
        return Response(result.audio, media_type=result.media_type, headers=headers)
    body = GLMTTSResponse(
        success=True,
        message=SUCCESS_MESSAGE,
        audio_base64=base64.b64encode(result.audio).decode("ascii"),
        sample_rate=result.sample_rate,
        generation_time=round(elapsed, 2),
    )
    return JSONResponse(body.model_dump())


@router.get(
    "/api/v1/health",
    summary="GLM-TTS compatible health",
    responses={
        503: {
            "description": "unhealthy, with the problems named.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def glm_health(container: ContainerDep) -> JSONResponse:
    """200 `healthy` when voxhub's readiness holds (default engine loaded; database, broker
    and storage answering), else 503 `unhealthy` with the problems named."""
    settings = container.settings
    default = settings.engines.default
    loaded = container.engines.loaded()
    registry = container.voice_registry

    def check() -> tuple[Readiness, int | None]:
        readiness = container.readiness()
        # prompts are counted from the database only when it answers
        if not readiness.ok("database"):
            return readiness, None
        return readiness, sum(len(prompt_indexes(v)) for v in registry.list(EVERYONE))

    readiness, prompts = await anyio.to_thread.run_sync(check)
    engine = loaded.get(default)
    body: dict[str, Any] = {
        "status": "healthy" if readiness.ready else "unhealthy",
        "model_loaded": engine is not None,
        "model_sample_rate": engine.capabilities.sample_rate if engine is not None else None,
        # voxhub normalizes text per language itself; there is no phoneme mode to report
        "model_use_phoneme": False,
        "prompt_cache_count": prompts,
    }
    if not readiness.ready:
        body["problems"] = list(readiness.problems)
    return JSONResponse(body, status_code=200 if readiness.ready else 503)


@router.get(
    "/api/v1/prompts",
    response_model=PromptList,
    summary="GLM-TTS compatible prompt indexes",
    dependencies=[require("voices")],
)
async def glm_prompts(container: ContainerDep, request: Request, access: AccessDep) -> PromptList:
    """Every index a request may send: each registered voice's aliases (else its id)."""
    voices = await anyio.to_thread.run_sync(container.voice_registry.list, access)
    return PromptList(
        prompts=[
            prompt_entry(voice, index, public_url(request, audio_path(voice)))
            for voice in voices
            for index in prompt_indexes(voice)
        ]
    )


@router.get(
    "/api/v1/prompts/{index}",
    response_model=PromptEntry,
    summary="GLM-TTS compatible prompt",
    dependencies=[require("voices")],
)
async def glm_prompt(
    index: str, container: ContainerDep, request: Request, access: AccessDep
) -> PromptEntry:
    voice = await anyio.to_thread.run_sync(container.voice_registry.find, index, access)
    if voice is None:
        raise VoiceNotFound(_unknown_index(index))
    return prompt_entry(voice, index, public_url(request, audio_path(voice)))


@router.get(
    "/api/v1/stats/concurrency",
    summary="GLM-TTS compatible concurrency statistics",
    dependencies=[require(None)],
)
async def glm_concurrency(admission: AdmissionDep, container: ContainerDep) -> dict[str, Any]:
    s = admission.settings
    return {
        "success": True,
        "stats": {
            _CLASS_NAMES[name]: {
                "active": figures.active,
                "total": figures.total,
                "limit": figures.limit,
                "available": figures.available,
                "queued": figures.queued,
                "queue_limit": figures.queue_limit,
                "rejected": figures.rejected,
                "timed_out": figures.timed_out,
            }
            for name, figures in admission.stats.items()
        },
        "config": {
            "concurrency": {
                "short_text": s.short_concurrency,
                "long_text": s.long_concurrency,
                "threshold": s.threshold,
            },
            # upper bounds: each request's deadline is predicted from its length under them
            "timeout": {
                "short_text": s.short_timeout,
                "medium_text": s.medium_timeout,
                "long_text": s.long_timeout,
            },
            "queue": {
                "max_size": s.short_queue + s.long_queue,
                "short_text": s.short_queue,
                "long_text": s.long_queue,
                "worker_count": container.settings.inference_slots,
                "enabled": True,
            },
            "workers": container.settings.server.workers,
        },
    }


def _timeout_detail(exc: DeadlineExceeded) -> str:
    """That service's words for a request past its deadline."""
    if exc.timeout is None:
        return exc.message
    return f"Request timeout after {exc.timeout:.0f} seconds"


def _unknown_index(index: str) -> str:
    return (
        f"Prompt index {index!r} not found. Register a voice with it as an alias "
        f"(POST /v1/voices, aliases={index}); GET /api/v1/prompts lists the indexes."
    )


def _prefers_audio(accept: str) -> bool:
    """Whether `Accept` ranks an audio type above JSON (a tie, or `*/*`, keeps JSON)."""
    audio = json = 0.0
    for part in accept.split(","):
        media, _, parameters = part.partition(";")
        media = media.strip().lower()
        quality = _quality(parameters)
        if media.startswith("audio/"):
            audio = max(audio, quality)
        elif media in ("application/json", "application/*"):
            json = max(json, quality)
    return audio > json


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0
