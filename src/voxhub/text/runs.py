"""Language runs of mixed Chinese/English text: which stretch is spoken in which language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voxhub.text.language import HAN_CHARACTER

# a Han character; a Latin word of two letters or more (with inner apostrophes, hyphens, dots
# and digits: "don't", "e-mail", "Node.js", "GPT-4"); anything else is neutral and joins a run
_TOKEN = re.compile(
    rf"(?P<zh>{HAN_CHARACTER})"
    r"|(?P<en>[A-Za-z][A-Za-z]*(?:['’.\-][A-Za-z0-9]+|[0-9]+)*[A-Za-z0-9]*)"
)


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of a sentence spoken in one language; runs concatenate to the sentence."""

    text: str
    language: str


def language_runs(text: str, primary: str) -> list[Run]:
    """Split a sentence into runs of Chinese and English, in order, covering every character.

    A single Latin letter ("A股", "T恤") stays with the text around it, as Chinese readers
    say it; digits, spaces and punctuation join the run before them (the first run, at the
    start), so "Python 3" is read in English and "3个" in Chinese. A sentence with neither
    Han nor a Latin word is one run of `primary`.
    """
    spans: list[tuple[int, int, str]] = []
    for match in _TOKEN.finditer(text):
        language = "zh" if match.group("zh") else "en"
        if language == "en" and len(match.group()) < 2:
            continue
        if spans and spans[-1][2] == language:
            spans[-1] = (spans[-1][0], match.end(), language)
        else:
            spans.append((match.start(), match.end(), language))
    if not spans:
        return [Run(text, primary)] if text else []
    cuts = [0] + [start for start, _, _ in spans[1:]] + [len(text)]
    return [Run(text[cuts[i] : cuts[i + 1]], span[2]) for i, span in enumerate(spans)]
