"""The voice registry: engine voices, registered voices and cloning templates."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from voxhub.access import Access
from voxhub.api.auth import AccessDep, require
from voxhub.api.deps import ContainerDep, public_url
from voxhub.api.schemas import media
from voxhub.api.schemas.fields import LanguageTag, NonBlank, Text
from voxhub.api.schemas.voices import (
    Alias,
    ReferenceOut,
    VoiceDefaults,
    VoiceList,
    VoiceOut,
    VoicePatch,
)
from voxhub.db.repositories.voice_records import RegisteredVoice
from voxhub.engines.tts.base import Voice
from voxhub.errors import Conflict, PayloadTooLarge, VoiceNotFound
from voxhub.services.voices.registry import VoiceDraft
from voxhub.text.language import SUPPORTED_LANGUAGES, normalize_language_tag

router = APIRouter(tags=["voices"], dependencies=[require("voices")])


@router.get("/v1/voices", response_model=VoiceList, summary="List voices")
async def list_voices(
    container: ContainerDep,
    request: Request,
    access: AccessDep,
    language: Annotated[LanguageTag | None, Query(description="zh or en")] = None,
    engine: str | None = Query(None, description="only this engine's voices"),
) -> VoiceList:
    wanted = normalize_language_tag(language) if language else None
    voices = await anyio.to_thread.run_sync(container.voices.all, wanted, engine)
    registry = container.voice_registry
    registered = await anyio.to_thread.run_sync(registry.list, access, wanted, engine)
    defaults = await anyio.to_thread.run_sync(container.voices.defaults)
    listed = [voice_out(v, request) for v in voices]
    listed += [registered_out(r, request) for r in registered]
    return VoiceList(voices=listed, defaults=defaults)


@router.post(
    "/v1/voices",
    response_model=VoiceOut,
    status_code=201,
    summary="Register a voice: a cloning template or an engine voice with its own name",
)
async def register_voice(
    container: ContainerDep,
    request: Request,
    access: AccessDep,
    name: Annotated[NonBlank, Form(min_length=1, max_length=200)],
    engine: Annotated[Text | None, Form(description="engine that speaks it")] = None,
    language: Annotated[LanguageTag | None, Form(description="zh or en")] = None,
    engine_voice: Annotated[
        Text | None, Form(description="ENGINE:NAME, for a named engine voice")
    ] = None,
    transcript: Annotated[
        Text | None, Form(description="what the reference recording says")
    ] = None,
    aliases: Annotated[
        list[Alias] | None,
        Form(description="other names (character, templateId, index); repeat or comma-separate"),
    ] = None,
    audio: Annotated[
        UploadFile | None, File(description="reference recording: wav, mp3, flac or ogg")
    ] = None,
    audio_url: Annotated[Text | None, Form(description="or a URL of the recording")] = None,
    speed: Annotated[float | None, Form(ge=0.5, le=2.0)] = None,
    temperature: Annotated[float | None, Form(ge=0.0, le=2.0)] = None,
    top_p: Annotated[float | None, Form(gt=0.0, le=1.0)] = None,
    top_k: Annotated[int | None, Form(ge=1)] = None,
    instruction: Annotated[Text | None, Form(max_length=500)] = None,
) -> VoiceOut:
    registry = container.voice_registry
    data = await _read_upload(audio, container.settings.voices.max_reference_bytes)
    reference = None
    if data is not None or audio_url:
        reference = await anyio.to_thread.run_sync(registry.check_reference, data, audio_url)
    draft = VoiceDraft(
        name=name,
        engine=engine or None,
        language=language or None,
        engine_voice=engine_voice or None,
        transcript=transcript,
        aliases=tuple(_split_aliases(aliases)),
        defaults=VoiceDefaults(
            speed=speed, temperature=temperature, top_p=top_p, top_k=top_k, instruction=instruction
        ).model_dump(exclude_none=True),
        owner=access.tenant,
    )
    record = await anyio.to_thread.run_sync(registry.register, draft, reference)
    return registered_out(record, request)


@router.get("/v1/voices/{voice_id}", response_model=VoiceOut, summary="One voice")
async def get_voice(
    voice_id: str, container: ContainerDep, request: Request, access: AccessDep
) -> VoiceOut:
    record = await anyio.to_thread.run_sync(container.voice_registry.find, voice_id, access)
    if record is not None:
        return registered_out(record, request)
    voice = await anyio.to_thread.run_sync(_engine_voice, container, voice_id)
    return voice_out(voice, request)


@router.patch("/v1/voices/{voice_id}", response_model=VoiceOut, summary="Change a voice")
async def update_voice(
    voice_id: str, body: VoicePatch, container: ContainerDep, request: Request, access: AccessDep
) -> VoiceOut:
    await _refuse_engine_voice(container, voice_id, "changed", access)
    changes = body.model_dump(exclude_unset=True)
    if body.defaults is not None:
        changes["defaults"] = body.defaults.model_dump(exclude_none=True)
    registry = container.voice_registry
    record = await anyio.to_thread.run_sync(registry.update, voice_id, changes, access)
    return registered_out(record, request)


@router.delete("/v1/voices/{voice_id}", status_code=204, summary="Remove a registered voice")
async def delete_voice(voice_id: str, container: ContainerDep, access: AccessDep) -> Response:
    await _refuse_engine_voice(container, voice_id, "deleted", access)
    await anyio.to_thread.run_sync(container.voice_registry.delete, voice_id, access)
    return Response(status_code=204)


@router.get(
    "/v1/voices/{voice_id}/sample",
    summary="A short preview of the voice (WAV), synthesized once and kept",
    response_class=Response,
    responses=media.audio("A WAV preview of the voice.", ["audio/wav"]),
)
async def voice_sample(voice_id: str, container: ContainerDep, access: AccessDep) -> Response:
    def preview() -> bytes:
        # a name that is no voice is not found (404), whatever its characters
        container.voices.resolve(voice_id, SUPPORTED_LANGUAGES[0], access)
        return container.voice_samples.sample(voice_id, access)

    data = await anyio.to_thread.run_sync(preview)
    return Response(data, media_type="audio/wav")


@router.get(
    "/v1/voices/{voice_id}/reference",
    summary="The reference recording of a cloning template",
    response_class=Response,
    responses=media.audio("The recording, as it was uploaded.", media.REFERENCE_AUDIO_TYPES),
)
async def voice_reference(voice_id: str, container: ContainerDep, access: AccessDep) -> Response:
    registry = container.voice_registry
    data, media_type = await anyio.to_thread.run_sync(registry.reference_audio, voice_id, access)
    return Response(data, media_type=media_type)


def voice_out(voice: Voice, request: Request) -> VoiceOut:
    return VoiceOut(
        id=voice.id,
        name=voice.name,
        engine=voice.engine,
        language=voice.language,
        languages=list(voice.languages),
        gender=voice.gender,
        description=voice.description,
        sample_url=public_url(request, f"/v1/voices/{voice.id}/sample"),
    )


def registered_out(record: RegisteredVoice, request: Request) -> VoiceOut:
    reference = None
    if record.reference is not None:
        reference = ReferenceOut(
            media_type=record.reference.media_type,
            duration=record.reference.duration,
            sample_rate=record.reference.sample_rate,
            url=public_url(request, f"/v1/voices/{record.id}/reference"),
        )
    return VoiceOut(
        id=record.id,
        name=record.name,
        engine=record.engine,
        language=record.language,
        languages=[record.language],
        kind="registered",
        cloning=record.cloning,
        aliases=list(record.aliases),
        engine_voice=record.engine_voice,
        transcript=record.transcript,
        defaults=VoiceDefaults(**record.defaults),
        reference=reference,
        owner=record.owner,
        created_at=record.created_at,
        updated_at=record.updated_at,
        sample_url=public_url(request, f"/v1/voices/{record.id}/sample"),
    )


def _engine_voice(container: ContainerDep, voice_id: str) -> Voice:
    engine_name, sep, _ = voice_id.partition(":")
    for voice in container.voices.all(engine=engine_name if sep else None):
        if voice.id == voice_id or (not sep and voice.name == voice_id):
            return voice
    raise VoiceNotFound(f"Unknown voice {voice_id!r}; GET /v1/voices lists the voices.")


async def _refuse_engine_voice(
    container: ContainerDep, voice_id: str, what: str, access: Access
) -> None:
    """Engine voices belong to their engine: only registered voices are changed or deleted."""
    registry = container.voice_registry
    if await anyio.to_thread.run_sync(registry.find, voice_id, access) is not None:
        return
    voice = await anyio.to_thread.run_sync(_engine_voice, container, voice_id)
    raise Conflict(
        f"{voice.id!r} is an engine voice and cannot be {what}; register a voice with "
        f"engine_voice={voice.id} to give it a name, aliases and defaults of its own."
    )


async def _read_upload(upload: UploadFile | None, limit: int) -> bytes | None:
    if upload is None:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The reference audio is over {limit:,} bytes.")
    return data or None


def _split_aliases(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
