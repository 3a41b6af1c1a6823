"""Language tags and a cheap zh/en detector based on the share of Han characters."""

from __future__ import annotations

import re

from voxhub.errors import UnsupportedLanguage

SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh", "en")

# A Han character is a syllable, worth about three Latin letters. Text is "zh" once Han makes up
# a quarter of the (weighted) letters: Chinese G2P copes with embedded English words far better
# than English G2P copes with Han characters.
_LETTERS_PER_HAN = 3
_HAN_SHARE_FOR_ZH = 0.25

# one Han character (the CJK ideograph blocks); text/runs.py splits mixed text with it too
HAN_CHARACTER = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
_HAN = re.compile(HAN_CHARACTER)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")

_ALIASES: dict[str, str] = {
    "zh": "zh",
    "zho": "zh",
    "chi": "zh",
    "cmn": "zh",
    "chinese": "zh",
    "mandarin": "zh",
    "en": "en",
    "eng": "en",
    "english": "en",
}


def detect_language(text: str) -> str:
    """Return "zh" when Han characters are a meaningful share of the letters, else "en"."""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    weighted_han = han * _LETTERS_PER_HAN
    latin = len(_LATIN.findall(text))
    return "zh" if weighted_han / (weighted_han + latin) >= _HAN_SHARE_FOR_ZH else "en"


def normalize_language_tag(tag: str) -> str:
    """Map a user-supplied language tag ("zh-CN", "english", ...) to "zh" or "en"."""
    cleaned = tag.strip().lower().replace("_", "-")
    # Any region or script subtag is accepted: zh-CN, zh-Hans, en-GB all speak the same language.
    primary = cleaned.split("-", 1)[0]
    language = _ALIASES.get(cleaned) or _ALIASES.get(primary)
    if language is None:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise UnsupportedLanguage(
            f"Language {tag.strip()!r} is not supported; use one of: {supported} "
            '(tags such as "zh-CN" or "en-US" are accepted too).'
        )
    return language
