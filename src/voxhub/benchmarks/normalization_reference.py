"""The reference normalizer: WeTextProcessing's grammars run by `wetext` (optional, offline)."""

from __future__ import annotations

from collections.abc import Callable


def wetext_normalizer() -> Callable[[str, str], str] | None:
    """`wetext` (extra `normalize-reference`) ships its compiled grammars inside the wheel and
    reads them from there; None when it is not installed."""
    try:
        from wetext import Normalizer
    except ImportError:
        return None
    by_language = {language: Normalizer(lang=language, operator="tn") for language in ("zh", "en")}

    def run(text: str, language: str) -> str:
        # its English grammar fails an internal assertion on some inputs ("#1", "√16"); such a
        # sentence is scored as left unread
        try:
            return str(by_language[language].normalize(text))
        except AssertionError:
            return text

    return run
