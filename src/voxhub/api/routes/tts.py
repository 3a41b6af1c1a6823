"""Online synthesis routes: whole results with subtitles, progressive audio, stored audio."""

from __future__ import annotations

import time

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from voxhub.api.auth import AccessDep, require
from voxhub.api.deps import ContainerDep, OnlineDep, metrics_of, public_url
from voxhub.api.downloads import download_response
from voxhub.api.schemas import media
from voxhub.api.schemas.tts import CueOut, SentenceOut, TTSRequest, TTSResponse, WordOut
from voxhub.audio.formats import parse_format
from voxhub.services.online import OnlineResult
from voxhub.subtitles.formats import to_srt, to_vtt

router = APIRouter(tags=["tts"], dependencies=[require("tts")])


@router.post("/v1/tts", response_model=TTSResponse, summary="Synthesize short text")
async def synthesize(
    body: TTSRequest, online: OnlineDep, request: Request, access: AccessDep
) -> TTSResponse:
    """Speak up to 300 characters; returns the audio URL, subtitles and word timings."""
    started = time.perf_counter()
    result = await online.synthesize(body.to_request(), access)
    if result.duration > 0:
        metrics_of(request).real_time_factor.labels(result.voice.engine).observe(
            (time.perf_counter() - started) / result.duration
        )
    return _response(
        result, body, public_url(request, f"/v1/tts/audio/{result.id}.{result.extension}")
    )


@router.post(
    "/v1/tts/stream",
    response_class=StreamingResponse,
    summary="Synthesize short text, streaming audio sentence by sentence",
    responses=media.audio("The audio in the requested format, as each sentence is ready."),
)
async def stream(body: TTSRequest, online: OnlineDep, access: AccessDep) -> StreamingResponse:
    """The request is validated before the first byte; audio then arrives per sentence."""
    audio = await online.stream(body.to_request(), access)
    headers = {
        "X-Voxhub-Voice": audio.plan.voice.id,
        "X-Voxhub-Language": audio.plan.language,
        "X-Voxhub-Sample-Rate": str(audio.plan.sample_rate),
        "Cache-Control": "no-store",
    }
    return StreamingResponse(audio.chunks, media_type=audio.media_type, headers=headers)


@router.get(
    "/v1/tts/audio/{name}",
    summary="Download synthesized audio",
    response_class=Response,
    responses=media.audio("The audio file (its extension names the format)."),
)
async def audio_file(name: str, container: ContainerDep, access: AccessDep) -> Response:
    """The file itself, or on S3 storage a 307 redirect to a presigned URL of it."""
    result_id, _, extension = name.partition(".")
    found = await anyio.to_thread.run_sync(container.results.find, result_id, extension, access)
    return download_response(found, parse_format(extension).media_type(None))


def _response(result: OnlineResult, body: TTSRequest, audio_url: str) -> TTSResponse:
    wants = body.subtitle_format
    return TTSResponse(
        id=result.id,
        audio_url=audio_url,
        format=result.extension,
        media_type=result.media_type,
        duration=round(result.duration, 3),
        sample_rate=result.sample_rate,
        voice=result.voice.id,
        language=result.language,
        srt=to_srt(result.cues),
        vtt=to_vtt(result.cues) if wants in ("vtt", "all") else None,
        cues=[CueOut(index=c.index, start=c.start, end=c.end, text=c.text) for c in result.cues]
        if wants in ("json", "all")
        else None,
        words=[
            WordOut(text=w.text, start=round(w.start, 3), end=round(w.end, 3))
            for s in result.sentences
            for w in s.words
        ],
        sentences=[
            SentenceOut(text=s.text, start=round(s.start, 3), end=round(s.end, 3))
            for s in result.sentences
        ],
    )
