"""Group consecutive sentences into chunks of bounded length for long-text synthesis."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from voxhub.text.sentences import is_cjk, split_lines_and_sentences

# The sentence cap stays well under a chunk so a chunk holds a few sentences, not one clause.
_MAX_SENTENCE_CHARS = 120
# Quotes, brackets and ellipses say nothing about which script a sentence is in.
_NEUTRAL = "\"'“”‘’()[]{}「」『』（）【】《》…. "


def chunk_sentences(sentences: Sequence[str], max_chars: int = 250) -> list[list[str]]:
    """Greedily group sentences so each group's total length is ≤ max_chars.

    A sentence longer than max_chars forms a group of its own.
    """
    groups = _group(sentences, [""] * len(sentences), max_chars)
    return [[sentences[i] for i in group] for group in groups]


def chunk_text(text: str, max_chars: int = 250) -> list[str]:
    """Split text into sentences and join them into chunk strings of ≤ max_chars each.

    Sentences the input put on separate lines stay on separate lines: a heading without
    punctuation must not run into the sentence after it when the chunk is split again.
    """
    pieces = split_lines_and_sentences(text, max_chars=min(_MAX_SENTENCE_CHARS, max_chars))
    sentences = [piece.text for piece in pieces]
    # what goes before each sentence when it follows another in a chunk
    glue = [""] + [
        "\n" if left.line_break else _separator(left.text, right.text)
        for left, right in pairwise(pieces)
    ]
    return [
        "".join((glue[i] if i != group[0] else "") + sentences[i] for i in group)
        for group in _group(sentences, glue, max_chars)
    ]


def _group(sentences: Sequence[str], glue: Sequence[str], max_chars: int) -> list[list[int]]:
    """Greedy grouping (of indices) where a group's length includes the glue its join adds."""
    groups: list[list[int]] = []
    current: list[int] = []
    length = 0
    for i, sentence in enumerate(sentences):
        added = len(sentence) + (len(glue[i]) if current else 0)
        if current and length + added > max_chars:
            groups.append(current)
            current, added = [], len(sentence)
            length = 0
        current.append(i)
        length += added
    if current:
        groups.append(current)
    return groups


def _separator(left: str, right: str) -> str:
    """No space between two CJK sentences (Chinese has none), a space otherwise."""
    left_core, right_core = left.rstrip(_NEUTRAL), right.lstrip(_NEUTRAL)
    if left_core and right_core and is_cjk(left_core[-1]) and is_cjk(right_core[0]):
        return ""
    return " "
