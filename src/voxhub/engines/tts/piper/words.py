"""Word timings from Piper's per-phoneme alignments, matched to the written words by clause."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from voxhub.audio.silence import speech_bounds
from voxhub.engines.tts.alignment import PhonemeGroup, align_words
from voxhub.engines.tts.base import Samples
from voxhub.timing import WordTiming

# punctuation piper keeps after each clause of espeak's phonemes (espeak's clause terminators)
TERMINATORS = frozenset(",.;:!?")
# symbols piper may pass through that are written, not spoken
_SILENT = frozenset("'\"()-")
_ENGLISH_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*")
# what ends a clause in the text, as espeak ends one: a terminator between two words
_CLAUSE_BREAK = re.compile(r"[,.;:!?…]")


def phoneme_clauses(phonemes: Sequence[str], edges: Sequence[float]) -> list[list[PhonemeGroup]]:
    """Spoken words (phonemes between spaces) of one sentence, cut into clauses at terminators.

    `edges[i]`..`edges[i + 1]` is when phoneme i sounds. Spaces and punctuation sound as
    silence, so they are left out of every word's span.
    """
    clauses: list[list[PhonemeGroup]] = [[]]
    word: list[int] = []
    for index, phoneme in enumerate([*phonemes, " "]):
        if phoneme == " " or phoneme in TERMINATORS:
            if word:
                spoken = "".join(phonemes[i] for i in word)
                clauses[-1].append(PhonemeGroup(spoken, edges[word[0]], edges[word[-1] + 1]))
                word = []
            if phoneme in TERMINATORS and clauses[-1]:
                clauses.append([])
        elif phoneme not in _SILENT:
            word.append(index)
    return [c for c in clauses if c]


def text_clauses(text: str) -> list[list[str]]:
    """The words of the text as written, cut into clauses at , . ; : ! ? between words."""
    clauses: list[list[str]] = [[]]
    end = 0
    for match in _ENGLISH_WORD.finditer(text):
        if clauses[-1] and _CLAUSE_BREAK.search(text, end, match.start()):
            clauses.append([])
        clauses[-1].append(match.group())
        end = match.end()
    return [c for c in clauses if c]


def align_clauses(
    words: Sequence[Sequence[str]], groups: Sequence[Sequence[PhonemeGroup]]
) -> list[list[WordTiming]]:
    """Time the words clause by clause when text and speech have as many clauses.

    espeak joins some words ("of the") into one phoneme word, so word counts can differ;
    matching clauses first keeps such a guess inside its clause, so the pause at a comma
    or full stop falls between two words. Otherwise the whole text is one clause.
    """
    if len(words) == len(groups):
        timed = [align_words(w, g) for w, g in zip(words, groups, strict=True)]
        return [t for t in timed if t]
    flat = align_words([w for c in words for w in c], [g for c in groups for g in c])
    return [flat] if flat else []


def snap_to_speech(
    clauses: Sequence[Sequence[WordTiming]], samples: Samples, sample_rate: int
) -> list[WordTiming]:
    """Flatten the clauses, moving each clause's outer edges to where its sound is.

    Around a pause the model's phoneme durations are loose: a final consonant may ring on
    into the time of the punctuation, or the timing may run well into the quiet. Each
    clause's first start and last end are set to the audible span (as `speech_bounds`
    finds it) within the clause's reach: its own words plus half of the pause on either
    side, so words stay in order and never overlap.
    """
    total = len(samples) / sample_rate
    # where each clause's reach begins and ends: the middles of the pauses between clauses
    middles = [
        (before[-1].end + after[0].start) / 2 for before, after in itertools.pairwise(clauses)
    ]
    words: list[WordTiming] = []
    for index, clause in enumerate(clauses):
        low = middles[index - 1] if index else 0.0
        high = middles[index] if index < len(middles) else total
        first, last = clause[0], clause[-1]
        begin = _audible(samples, sample_rate, low, first.end)
        end = _audible(samples, sample_rate, last.start, high)
        timed = list(clause)
        if begin is not None:
            timed[0] = WordTiming(first.text, begin[0], first.end)
        if end is not None:
            timed[-1] = WordTiming(last.text, timed[-1].start, end[1])
        words += timed
    return words


def _audible(samples: Samples, rate: int, start: float, end: float) -> tuple[float, float] | None:
    """The audible span of samples between two times, or None when all is quiet.

    The rest of the clip is silenced rather than sliced away, so the level is measured in
    the same frames as `speech_bounds` over the whole clip: a sound near the threshold
    then counts the same in both.
    """
    begin, stop = round(start * rate), round(end * rate)
    window = np.zeros_like(samples)
    window[begin:stop] = samples[begin:stop]
    first, last = speech_bounds(window, rate)
    if last <= first:
        return None
    return max(first, begin) / rate, min(last, stop) / rate
