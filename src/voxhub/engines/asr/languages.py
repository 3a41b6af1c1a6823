"""Which language a recognition request means, checked against what the engine recognizes."""

from __future__ import annotations

from voxhub.engines.asr.base import ASRCapabilities
from voxhub.errors import UnsupportedLanguage
from voxhub.text.language import normalize_language_tag

AUTO = "auto"


def resolve_language(requested: str | None, capabilities: ASRCapabilities, engine: str) -> str:
    """ "zh", "en" or "auto" (the engine detects it) for a user's language tag or None.

    Raises UnsupportedLanguage naming the languages the engine does recognize.
    """
    spoken = sorted(capabilities.languages - {AUTO})
    if requested is None or requested.strip().lower() in ("", AUTO):
        if AUTO in capabilities.languages:
            return AUTO
        if len(spoken) == 1:
            # one language only: there is nothing to detect
            return spoken[0]
        raise UnsupportedLanguage(
            f"Engine {engine!r} cannot detect the language; name one of: {', '.join(spoken)}."
        )
    try:
        language: str | None = normalize_language_tag(requested)
    except UnsupportedLanguage:
        language = None
    if language not in capabilities.languages:
        options = ", ".join(sorted(capabilities.languages))
        raise UnsupportedLanguage(
            f"Engine {engine!r} does not recognize {requested.strip()!r}; it recognizes: "
            f"{options}. Choose another language or engine."
        )
    return language
