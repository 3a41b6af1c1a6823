"""Word and character error rates of a transcript against the text that was spoken."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from voxhub.engines.asr.base import is_cjk

_APOSTROPHES = str.maketrans("", "", "'’")


def normalize_for_scoring(text: str) -> str:
    """Lowercase, punctuation and symbols removed ("don't" → "dont"), whitespace collapsed."""
    lowered = unicodedata.normalize("NFKC", text.lower()).translate(_APOSTROPHES)
    kept = (" " if unicodedata.category(char)[0] in "PSZC" else char for char in lowered)
    return " ".join("".join(kept).split())


def word_tokens(text: str) -> list[str]:
    """Words of normalized text; each Chinese character counts as one word."""
    tokens: list[str] = []
    for word in normalize_for_scoring(text).split():
        run = ""
        for char in word:
            if is_cjk(char):
                if run:
                    tokens.append(run)
                    run = ""
                tokens.append(char)
            else:
                run += char
        if run:
            tokens.append(run)
    return tokens


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Fewest substitutions, insertions and deletions turning one sequence into the other."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edits over words (Chinese characters count as words) ÷ reference words."""
    return _rate(word_tokens(reference), word_tokens(hypothesis))


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edits over characters, spaces ignored ÷ reference characters."""
    ref = list(normalize_for_scoring(reference).replace(" ", ""))
    hyp = list(normalize_for_scoring(hypothesis).replace(" ", ""))
    return _rate(ref, hyp)


def _rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return edit_distance(reference, hypothesis) / len(reference)
