"""Whisper's word pieces joined into whole words and text by the spaces whisper wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from voxhub.engines.asr.base import RecognizedWord, is_cjk
from voxhub.engines.asr.whisper.echo import echo_pieces
from voxhub.engines.asr.whisper.loops import spoken_loop_start


@dataclass(frozen=True, slots=True)
class WordPiece:
    """A word as whisper's alignment gives it: its text keeps the leading space whisper wrote."""

    text: str
    start: float
    end: float
    probability: float


def whole_words(pieces: Iterable[WordPiece]) -> list[WordPiece]:
    """Pieces that continue a word (no leading space) joined to it: " o" + "'clock".

    Whisper starts every word with a space; a piece without one is the rest of the word
    before it ("'clock", or "ificial" after " art" where Chinese decodes split words into
    tokens). Chinese characters come without spaces and stay words of their own.
    """
    groups: list[list[WordPiece]] = []
    for piece in pieces:
        if groups and _continues("".join(p.text for p in groups[-1]), piece.text):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return [
        WordPiece(
            "".join(p.text for p in group),
            group[0].start,
            max(p.end for p in group),
            # the mean over the pieces, as faster-whisper averages a word's tokens
            sum(p.probability for p in group) / len(group),
        )
        for group in groups
    ]


def recognized(
    pieces: Iterable[WordPiece], clean: Callable[[str], str], echo: str = ""
) -> tuple[str, tuple[RecognizedWord, ...]]:
    """The text of the pieces (spaced as whisper spaced them) and their whole words, cleaned;
    a decoding loop is cut after its first turn, a repeat of the prompt `echo` left out."""
    merged = whole_words(pieces)
    cut = spoken_loop_start([w.text.strip().lower() for w in merged])
    merged = merged[:cut]
    repeated = echo_pieces([clean(w.text) for w in merged], echo)
    merged = [w for i, w in enumerate(merged) if i not in repeated]
    words = tuple(
        RecognizedWord(text, w.start, w.end, w.probability)
        for w in merged
        if (text := clean(w.text))
    )
    return clean("".join(w.text for w in merged)), words


def _continues(word: str, piece: str) -> bool:
    if not word.strip() or not piece or piece[0].isspace():
        return False
    return not is_cjk(word[-1]) and not is_cjk(piece[0])
