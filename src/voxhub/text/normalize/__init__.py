"""Rewrite written forms (numbers, dates, times, money, units, symbols) as words for TTS."""

from __future__ import annotations

from voxhub.text.normalize.en import EN_RULES
from voxhub.text.normalize.shared import apply_rules
from voxhub.text.normalize.zh import ZH_RULES

# Full-width digits are common in Chinese text; every rule works on ASCII digits only
# (`\d` would also match other scripts' digits, which the converters cannot read).
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize(text: str, language: str) -> str:
    """Rewrite `text` for speech in `language` ("zh" or "en"); other languages pass through."""
    if language == "zh":
        return apply_rules(ZH_RULES, text.translate(_FULLWIDTH_DIGITS))
    if language == "en":
        return apply_rules(EN_RULES, text.translate(_FULLWIDTH_DIGITS))
    return text
