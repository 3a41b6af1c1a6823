"""Generic voice names ("female", "male", 女声, 男声, …): a voice of that gender for the text."""

from __future__ import annotations

from collections.abc import Mapping

from voxhub.engines.tts.base import TTSEngine, Voice
from voxhub.errors import VoxhubError

# the names clients of the replaced services send instead of a voice (IndexTTS's own example
# asks for "female"); English names match in any case
GENDER_OF_NAME: Mapping[str, str] = {
    "female": "female",
    "女": "female",
    "女声": "female",
    "女性": "female",
    "male": "male",
    "男": "male",
    "男声": "male",
    "男性": "male",
}
GENDERS = ("female", "male")


def generic_gender(name: str) -> str | None:
    """The gender a generic voice name asks for, or None for any other name."""
    return GENDER_OF_NAME.get(name.strip().casefold())


def voices_of_gender(engine: TTSEngine, gender: str, language: str) -> list[Voice]:
    """The engine's own voices of `gender` for `language`, its default voice of the language
    first when that one fits; empty when it has none."""
    if language not in engine.capabilities.languages:
        return []
    try:
        default: Voice | None = engine.default_voice(language)
    except VoxhubError:  # an engine may have no voice of its own (remote: only cloned ones)
        default = None
    same = [
        voice
        for voice in engine.voices()
        if voice.gender == gender and language in voice.languages and voice.reference is None
    ]
    same.sort(key=lambda voice: default is None or voice.id != default.id)
    return same


def voice_of_gender(engine: TTSEngine, gender: str, language: str) -> Voice | None:
    """The engine's voice of `gender` for `language` (its default voice when that fits)."""
    same = voices_of_gender(engine, gender, language)
    return same[0] if same else None
