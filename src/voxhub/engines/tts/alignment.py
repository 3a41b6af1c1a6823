"""Word timings from per-phoneme timings: pair words with the phoneme groups that spoke them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voxhub.timing import WordTiming


@dataclass(frozen=True, slots=True)
class PhonemeGroup:
    """The phonemes between two spaces and the seconds they span."""

    phonemes: str
    start: float
    end: float


def phoneme_groups(
    phonemes: str, edges: Sequence[float], punctuation: frozenset[str]
) -> list[PhonemeGroup]:
    """Split phonemes at spaces; `edges[i]`..`edges[i+1]` is when phoneme i sounds.

    Punctuation at a group's edges is silence, so it is left out of the group's span.
    """
    groups: list[PhonemeGroup] = []
    start = 0
    for piece in phonemes.split(" "):
        first, last = start, start + len(piece)
        start = last + 1  # past the space
        while first < last and phonemes[first] in punctuation:
            first += 1
        while last > first and phonemes[last - 1] in punctuation:
            last -= 1
        if first < last:
            groups.append(PhonemeGroup(phonemes[first:last], edges[first], edges[last]))
    return groups


def align_words(words: Sequence[str], groups: Sequence[PhonemeGroup]) -> list[WordTiming]:
    """Time each word: one group per word when the counts agree, else by length along the groups.

    Engines merge short words ("of the" → one group) or split others, so when the counts
    differ each word gets the stretch of spoken time matching its share of the letters.
    """
    if not words or not groups:
        return []
    if len(words) == len(groups):
        return [
            WordTiming(w, float(g.start), float(g.end)) for w, g in zip(words, groups, strict=True)
        ]
    # spoken time as a function of "how many phonemes in", counting only voiced groups
    counts = np.cumsum([0] + [len(g.phonemes) for g in groups], dtype=np.float64)
    times = np.empty(len(groups) * 2)
    positions = np.empty(len(groups) * 2)
    for i, group in enumerate(groups):
        positions[2 * i], positions[2 * i + 1] = counts[i], counts[i + 1]
        times[2 * i], times[2 * i + 1] = group.start, group.end
    lengths = np.array([max(len(w), 1) for w in words], dtype=np.float64)
    bounds = np.concatenate([[0.0], np.cumsum(lengths)]) * (counts[-1] / lengths.sum())
    starts = np.interp(bounds[:-1], positions, times)
    ends = np.interp(bounds[1:], positions, times)
    return [WordTiming(w, float(s), float(e)) for w, s, e in zip(words, starts, ends, strict=True)]
