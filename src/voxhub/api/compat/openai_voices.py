"""OpenAI's voice names (alloy, nova, onyx, ...) mapped to an engine's voices per language."""

from __future__ import annotations

from collections.abc import Mapping

from voxhub.engines.tts.base import TTSEngine, Voice
from voxhub.services.voices.generic import voices_of_gender

# OpenAI's built-in voices and how they sound; alloy is neither
OPENAI_VOICES: Mapping[str, str | None] = {
    "alloy": None,
    "ash": "male",
    "ballad": "male",
    "coral": "female",
    "echo": "male",
    "fable": "male",
    "nova": "female",
    "onyx": "male",
    "sage": "female",
    "shimmer": "female",
    "verse": "male",
    "marin": "female",
    "cedar": "male",
}
# each voice's place among OpenAI's voices of its gender, so that different OpenAI voices
# get different voices of an engine as far as it has enough of that gender
_RANK: Mapping[str, int] = {
    name: [n for n, g in OPENAI_VOICES.items() if g == gender].index(name)
    for name, gender in OPENAI_VOICES.items()
}


def is_openai_voice(name: str) -> bool:
    return name.strip().casefold() in OPENAI_VOICES


def openai_voice(engine: TTSEngine, name: str, language: str) -> Voice:
    """The engine's voice for OpenAI's voice `name` speaking `language`.

    An engine voice of that very name wins (the `remote` engine in front of an OpenAI-
    compatible service has them). Otherwise alloy, and a gender the engine has no voice of
    for the language, get the engine's default voice of the language; the default voice
    also comes first among its gender.
    """
    key = name.strip().casefold()
    for voice in engine.voices():
        if voice.name == key and language in voice.languages and voice.reference is None:
            return voice
    gender = OPENAI_VOICES[key]
    default = engine.default_voice(language)
    if gender is None:
        return default
    same = voices_of_gender(engine, gender, language)
    if not same:
        return default
    return same[_RANK[key] % len(same)]
