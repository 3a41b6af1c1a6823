"""Group consecutive sentences into chunks of bounded length for long-text synthesis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from voxhub.text.sentences import is_cjk, split_sentences

# The sentence cap stays well under a chunk so a chunk holds a few sentences, not one clause.
_MAX_SENTENCE_CHARS = 120
# Quotes, brackets and ellipses say nothing about which script a sentence is in.
_NEUTRAL = "\"'“”‘’()[]{}「」『』（）【】《》…. "


def chunk_sentences(sentences: Sequence[str], max_chars: int = 250) -> list[list[str]]:
    """Greedily group sentences so each group's total length is ≤ max_chars.

    A sentence longer than max_chars forms a group of its own.
    """
    return _group(sentences, max_chars, lambda _left, _right: "")


def chunk_text(text: str, max_chars: int = 250) -> list[str]:
    """Split text into sentences and join them into chunk strings of ≤ max_chars each."""
    sentences = split_sentences(text, max_chars=min(_MAX_SENTENCE_CHARS, max_chars))
    groups = _group(sentences, max_chars, _separator)
    return [_join(group) for group in groups]


def _group(
    sentences: Sequence[str], max_chars: int, separator: Callable[[str, str], str]
) -> list[list[str]]:
    """Greedy grouping where the length of a group includes the separators its join will add."""
    groups: list[list[str]] = []
    current: list[str] = []
    length = 0
    for sentence in sentences:
        added = len(sentence) + (len(separator(current[-1], sentence)) if current else 0)
        if current and length + added > max_chars:
            groups.append(current)
            current, added = [], len(sentence)
            length = 0
        current.append(sentence)
        length += added
    if current:
        groups.append(current)
    return groups


def _join(sentences: list[str]) -> str:
    joined = sentences[0]
    for previous, sentence in pairwise(sentences):
        joined += _separator(previous, sentence) + sentence
    return joined


def _separator(left: str, right: str) -> str:
    """No space between two CJK sentences (Chinese has none), a space otherwise."""
    left_core, right_core = left.rstrip(_NEUTRAL), right.lstrip(_NEUTRAL)
    if left_core and right_core and is_cjk(left_core[-1]) and is_cjk(right_core[0]):
        return ""
    return " "
