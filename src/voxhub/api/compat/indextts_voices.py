"""IndexTTS's voice list: every name `character` takes, and what each one speaks with."""

from __future__ import annotations

from voxhub.access import Access
from voxhub.api.compat.indextts_schemas import VoiceDetail, VoicesOut
from voxhub.container import Container
from voxhub.services.voices.generic import generic_gender


def voices_out(container: Container, access: Access) -> VoicesOut:
    """Blocking: lists the engines' voices (loading enabled engines) and reads the registry.

    Names are listed in the order they are resolved, and a registered alias replaces a
    generic name of the same spelling, as it does in requests.
    """
    catalog = container.voices
    details: dict[str, VoiceDetail] = {}
    for name, meaning in catalog.generic().items():
        gender = generic_gender(name)
        details[name] = VoiceDetail(
            kind="generic",
            id=None,
            engine=None,
            languages=sorted(meaning),
            gender=gender,
            description=f"a {gender} voice of the text's language",
            resolves_to=meaning,
        )
    engine_voices = catalog.all()
    for voice in engine_voices:
        details[voice.id] = VoiceDetail(
            kind="engine",
            id=voice.id,
            engine=voice.engine,
            languages=list(voice.languages),
            gender=voice.gender,
            description=voice.description,
        )
    genders = {v.id: v.gender for v in engine_voices}
    for record in container.voice_registry.list(access):
        detail = VoiceDetail(
            kind="registered",
            id=record.id,
            engine=record.engine,
            languages=[record.language],
            gender=genders.get(record.engine_voice or ""),
            description=record.name,
            aliases=list(record.aliases),
        )
        for name in (record.id, *record.aliases):
            details[name] = detail
    return VoicesOut(
        voices=list(details), total=len(details), details=details, defaults=catalog.defaults()
    )
