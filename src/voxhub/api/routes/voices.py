"""Voice listing."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Query

from voxhub.api.deps import ContainerDep
from voxhub.api.schemas import VoiceList, VoiceOut
from voxhub.engines.base import Voice
from voxhub.text.language import normalize_language_tag

router = APIRouter(tags=["voices"])


@router.get("/v1/voices", response_model=VoiceList, summary="List voices")
async def list_voices(
    container: ContainerDep,
    language: str | None = Query(None, description="zh or en"),
    engine: str | None = Query(None, description="only this engine's voices"),
) -> VoiceList:
    wanted = normalize_language_tag(language) if language else None
    voices = await anyio.to_thread.run_sync(container.voices.all, wanted, engine)
    defaults = await anyio.to_thread.run_sync(container.voices.defaults)
    return VoiceList(voices=[voice_out(v) for v in voices], defaults=defaults)


def voice_out(voice: Voice) -> VoiceOut:
    return VoiceOut(
        id=voice.id,
        name=voice.name,
        engine=voice.engine,
        language=voice.language,
        languages=list(voice.languages),
        gender=voice.gender,
        description=voice.description,
    )
