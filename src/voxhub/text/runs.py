"""Language runs of mixed Chinese/English text: which stretch is spoken in which language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voxhub.text.language import HAN_CHARACTER
from voxhub.text.normalize import normalize

# a Han character; a Latin word (with inner apostrophes, hyphens, dots and digits: "don't",
# "e-mail", "Node.js", "GPT-4"); a number; anything else is neutral and joins a run
_TOKEN = re.compile(
    rf"(?P<zh>{HAN_CHARACTER})"
    r"|(?P<en>[A-Za-z][A-Za-z]*(?:['’.\-][A-Za-z0-9]+|[0-9]+)*[A-Za-z0-9]*)"
    r"|(?P<number>[0-9]+)"
)
_HAN = re.compile(HAN_CHARACTER)
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of a sentence spoken in one language; runs concatenate to the sentence."""

    text: str
    language: str


def language_runs(text: str, primary: str) -> list[Run]:
    """Split a sentence into runs of Chinese and English, in order, covering every character.

    A Latin word of two letters or more is English. In a sentence with Chinese characters,
    numbers are Chinese, and so are words written with a number or against one: a Chinese
    reader says "iPhone 十五", "GPT 四", "五 G", "十六 GB", "A 三八零", and the Chinese
    normalizer reads the units and codes ("5kg", "CA1831") that an English run would spell.
    A single Latin letter ("A股", "T恤") stays with the text around it; spaces, punctuation
    and numbers outside Chinese sentences join the run before them (the first run, at the
    start). A sentence with neither Han nor a Latin word is one run of `primary`.
    """
    chinese = _HAN.search(text) is not None
    spans: list[tuple[int, int, str]] = []
    for match in _TOKEN.finditer(text):
        language = _language(text, match, chinese)
        if language is None:
            continue
        if spans and spans[-1][2] == language:
            spans[-1] = (spans[-1][0], match.end(), language)
        else:
            spans.append((match.start(), match.end(), language))
    if not spans:
        return [Run(text, primary)] if text else []
    cuts = [0] + [start for start, _, _ in spans[1:]] + [len(text)]
    return [Run(text[cuts[i] : cuts[i + 1]], span[2]) for i, span in enumerate(spans)]


def _language(text: str, match: re.Match[str], chinese: bool) -> str | None:
    """The token's language, or None when it is neutral and joins the run before it."""
    if match.group("zh"):
        return "zh"
    if match.group("number"):
        return "zh" if chinese else None
    word = match.group()
    if chinese and _with_number(text, match):
        return "zh"
    return "en" if len(word) >= 2 else None


def _with_number(text: str, match: re.Match[str]) -> bool:
    """A word written with digits in it or against them: "MP3", "S24", "5kg", "4K"."""
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return any(char in _DIGITS for char in before + match.group() + after)


def spoken_runs(sentence: str, primary: str) -> list[Run]:
    """The sentence's runs as they are spoken: written forms rewritten as words.

    A sentence with Chinese characters is normalized whole by the Chinese rules before it is
    split, because a number's reading depends on the words around it, English ones included
    ("RTX 4090" is read digit by digit, "ID是123 456" as a code, "=2+3" as an equation);
    its English words pass through those rules and are then normalized as English.
    """
    if _HAN.search(sentence) is None:
        return [
            Run(normalize(run.text, run.language), run.language)
            for run in language_runs(sentence, primary)
        ]
    chinese = normalize(sentence, "zh")
    return [
        run if run.language == "zh" else Run(normalize(run.text, run.language), run.language)
        for run in language_runs(chinese, primary)
    ]
