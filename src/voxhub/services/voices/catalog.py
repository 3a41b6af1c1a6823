"""Resolve the voice a request names, and list every voice the enabled engines offer."""

from __future__ import annotations

from typing import Protocol

from voxhub.access import EVERYONE, Access
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import TTSEngine, Voice
from voxhub.errors import EngineNotFound, UnsupportedLanguage, VoiceNotFound, VoxhubError
from voxhub.services.voices.generic import (
    GENDER_OF_NAME,
    GENDERS,
    generic_gender,
    voice_of_gender,
)

_HOW_TO_FIND = "GET /v1/voices (or `voxhub voices`) lists the available voices."


class RegisteredVoices(Protocol):
    def lookup(self, name: str, access: Access) -> tuple[TTSEngine, Voice] | None:
        """The engine and voice of a registered voice whose id or alias is `name`, if
        `access` may use it."""
        ...


class VoiceCatalog:
    """Voices of the enabled engines and the registry: `ENGINE:NAME` ids name engine voices;
    other names are registered ids and aliases first, then generic names ("female", 男声,
    see `generic.py`), then engine voice names."""

    def __init__(
        self, pool: EnginePool, default_engine: str, registered: RegisteredVoices | None = None
    ) -> None:
        self._pool = pool
        self._default_engine = default_engine
        self._registered = registered

    def all(self, language: str | None = None, engine: str | None = None) -> list[Voice]:
        names = [engine] if engine else self._engine_order()
        voices = [v for name in names for v in self._pool.voices(name)]
        if language:
            voices = [v for v in voices if language in v.languages]
        return voices

    def defaults(self) -> dict[str, str]:
        """The voice id used for each language when a request names none."""
        engine = self._pool.get(self._default_engine)
        return {
            lang: engine.default_voice(lang).id for lang in sorted(engine.capabilities.languages)
        }

    def generic(self) -> dict[str, dict[str, str]]:
        """What each generic voice name means: name -> language -> voice id."""
        engine = self._pool.get(self._default_engine)
        languages = sorted(engine.capabilities.languages)
        chosen = {g: {lang: self._generic(g, lang)[1].id for lang in languages} for g in GENDERS}
        return {name: chosen[gender] for name, gender in GENDER_OF_NAME.items()}

    def resolve(
        self, name: str | None, language: str, access: Access = EVERYONE
    ) -> tuple[TTSEngine, Voice]:
        """The engine and voice for a request; the default engine's voice when `name` is empty.
        Registered voices of other tenants are not found (engine voices are everyone's)."""
        if not name:
            engine = self._pool.get(self._default_engine)
            return engine, engine.default_voice(language)
        engine_name, sep, _ = name.partition(":")
        if sep:
            try:
                engine = self._pool.get(engine_name)
            except EngineNotFound as exc:
                raise VoiceNotFound(
                    f"Unknown voice {name!r}: {exc.message} {_HOW_TO_FIND}"
                ) from exc
            return engine, find_engine_voice(engine, name)
        if self._registered is not None:
            found = self._registered.lookup(name, access)
            if found is not None:
                return found
        gender = generic_gender(name)
        if gender is not None:
            return self._generic(gender, language)
        for candidate in self._engine_order():
            engine = self._pool.get(candidate)
            for voice in engine.voices():
                if voice.name == name:
                    return engine, voice
        raise VoiceNotFound(f"Unknown voice {name!r}. {_HOW_TO_FIND}")

    def language_for(self, voice: Voice, requested: str | None, detected: str) -> str:
        """The language to speak: the requested one if the voice has it, else the text's."""
        if requested is not None:
            if requested not in voice.languages:
                raise UnsupportedLanguage(
                    f"Voice {voice.id!r} speaks {', '.join(voice.languages)}, not {requested!r}."
                )
            return requested
        return detected if detected in voice.languages else voice.language

    def _generic(self, gender: str, language: str) -> tuple[TTSEngine, Voice]:
        """The default engine's voice of `gender` for `language`; else another enabled
        engine's, since the caller asked for the gender rather than the engine; else the
        default engine's voice of the language, so a generic name always speaks."""
        default = self._pool.get(self._default_engine)
        found = voice_of_gender(default, gender, language)
        if found is not None:
            return default, found
        for name in self._engine_order()[1:]:
            try:
                engine = self._pool.get(name)
            except VoxhubError:  # an engine that cannot load now is no candidate
                continue
            found = voice_of_gender(engine, gender, language)
            if found is not None:
                return engine, found
        return default, default.default_voice(language)

    def _engine_order(self) -> list[str]:
        rest = [e for e in self._pool.enabled if e != self._default_engine]
        return [self._default_engine, *rest]


def find_engine_voice(engine: TTSEngine, voice_id: str) -> Voice:
    """The engine's voice `ENGINE:NAME` (or `NAME`); VoiceNotFound when it has none."""
    voice = engine.find_voice(voice_id)
    if voice is not None:
        return voice
    raise VoiceNotFound(f"Unknown voice {voice_id!r}. {_HOW_TO_FIND}")
