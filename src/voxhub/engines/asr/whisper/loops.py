"""Whisper's decoding loops ("问问问问…" until the context is full) cut back to one turn."""

from __future__ import annotations

from collections.abc import Sequence

# a unit repeated this often in a row is a loop: people say "哈哈哈" or "no, no, no",
# not the same word six times; whisper, once looping, repeats it until its 448 tokens run out
LOOP_REPEATS = 6
LONGEST_UNIT = 4


def loop_start(tokens: Sequence[str]) -> int | None:
    """Where a loop's first repetition begins (tokens before it keep one turn), or None.

    A loop is a unit of 1 to 4 tokens repeated at least 6 times in a row; the earliest one
    found wins, so text after it (whisper never recovers from a loop) goes with it.
    """
    for start in range(len(tokens)):
        for size in range(1, LONGEST_UNIT + 1):
            unit = tokens[start : start + size]
            if len(unit) < size:
                break
            end = start + size * LOOP_REPEATS
            if end <= len(tokens) and all(
                tokens[at : at + size] == unit for at in range(start + size, end, size)
            ):
                return start + size
    return None


def spoken_loop_start(tokens: Sequence[str]) -> int | None:
    """`loop_start` over the tokens that hold a letter or character: marks between the turns
    ("室，室，室，…") do not hide a loop."""
    spoken = [at for at, token in enumerate(tokens) if any(char.isalnum() for char in token)]
    cut = loop_start([tokens[at] for at in spoken])
    return None if cut is None else spoken[cut]


def without_loop(text: str, language: str) -> str:
    """`text` up to its loop; Chinese is compared character by character, others by word."""
    if language == "zh":
        cut = spoken_loop_start(list(text))
        return text if cut is None else text[:cut]
    words = text.split()
    cut = loop_start([w.strip(".,!?;:").lower() for w in words])
    return text if cut is None else " ".join(words[:cut])
