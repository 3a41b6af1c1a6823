"""Split Chinese/English text into sentences, with a hard length cap that never cuts a word."""

from __future__ import annotations

import re
from typing import NamedTuple

_CJK_TERMINATORS = frozenset("。｡！？；…")
_ASCII_TERMINATORS = frozenset(".!?;")
_TERMINATORS = _CJK_TERMINATORS | _ASCII_TERMINATORS
_CLOSERS = frozenset("”’\"')」』）)】》〉］]｝}»〕〗")
_OPENERS = frozenset("“‘\"'(「『（【《〈［[｛{«〔〖")
_NEWLINES = frozenset("\n\r\u2028\u2029\x85")
# Always a clause boundary; the ASCII ones only count when followed by a space (1,000 / 14:30).
_CJK_CLAUSE = frozenset("，、：；—")
_ASCII_CLAUSE = frozenset(",:;")

_ABBREVIATIONS = frozenset(
    (
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "prof.",
        "st.",
        "jr.",
        "sr.",
        "vs.",
        "etc.",
        "e.g.",
        "i.e.",
        "u.s.",
        "u.k.",
        "a.m.",
        "p.m.",
        "inc.",
        "ltd.",
    )
)
# U.S., e.g., J.K., a.m.: letters each followed by a period.
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")
# "J. K. Rowling"; "I." is excluded because it ends English sentences far more often.
_INITIAL = re.compile(r"[A-HJ-Z]\.")
_ENUMERATOR = re.compile(r"[0-9]{1,3}\.")
# Never start a piece with closing punctuation (or a terminator / clause mark).
_NO_LEADING = _CLOSERS | _TERMINATORS | _CJK_CLAUSE | _ASCII_CLAUSE


class Sentence(NamedTuple):
    """One piece of text, and whether the input breaks the line after it."""

    text: str
    line_break: bool


def split_sentences(text: str, max_chars: int = 120) -> list[str]:
    """Split text at sentence ends and newlines; break pieces longer than max_chars.

    Pieces are stripped slices of the input, so no non-whitespace character is lost or moved.
    A line ends a sentence even without punctuation, so a heading is a sentence of its own.
    """
    return [sentence.text for sentence in split_lines_and_sentences(text, max_chars)]


def split_lines_and_sentences(text: str, max_chars: int = 120) -> list[Sentence]:
    """`split_sentences`, telling which pieces a line break follows in the input.

    Whoever joins the pieces again (chunks of a job) keeps those breaks, so the headings
    they end stay sentences of their own when the joined text is split once more.
    """
    cap = max(1, max_chars)
    pieces: list[Sentence] = []
    start = 0
    for end in [*_sentence_ends(text), len(text)]:
        raw = text[start:end]
        start = end
        # only a newline ends a slice without punctuation; it is the slice's last character
        broken = raw[-1:] in _NEWLINES
        piece = raw.strip()
        if piece:
            *heads, last = _enforce_cap(piece, cap)
            pieces += [Sentence(head, False) for head in heads]
            pieces.append(Sentence(last, broken))
        elif broken and pieces:
            # "Hello.\n": the line break after a sentence that its punctuation ended
            pieces[-1] = Sentence(pieces[-1].text, True)
    return pieces


def is_cjk(char: str) -> bool:
    """True for Han, kana, Hangul and CJK/fullwidth punctuation (not fullwidth letters/digits)."""
    code = ord(char)
    if 0xFF10 <= code <= 0xFF5A and char.isalnum():
        return False
    return (
        0x3000 <= code <= 0x30FF
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FA1F
    )


def _sentence_ends(text: str) -> list[int]:
    """Indices just past each sentence end (terminator run plus closing quotes, or a newline)."""
    ends: list[int] = []
    piece_start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in _NEWLINES:
            i += 1
            ends.append(i)
            piece_start = i
            continue
        if char not in _TERMINATORS:
            i += 1
            continue
        run_end = _skip(text, i, _TERMINATORS)
        end = _skip(text, run_end, _CLOSERS)
        if _ends_sentence(text, piece_start, i, run_end, end):
            ends.append(end)
            piece_start = end
        i = end
    return ends


def _skip(text: str, index: int, chars: frozenset[str]) -> int:
    while index < len(text) and text[index] in chars:
        index += 1
    return index


def _ends_sentence(text: str, piece_start: int, run_start: int, run_end: int, end: int) -> bool:
    run = text[run_start:run_end]
    if any(char in _CJK_TERMINATORS for char in run):
        return True
    # "3.14", "example.com", "a?b=1": ASCII punctuation glued to what follows is not an ending,
    # unless Chinese follows directly, which is how mixed text is usually written.
    if end < len(text) and not text[end].isspace() and not is_cjk(text[end]):
        return False
    if run == "." and end == run_end:
        return not _is_abbreviation(text, piece_start, run_start)
    # '"Really?" she asked.': a quote closed inside a sentence that goes on in lowercase.
    return end == run_end or not _next_visible(text, end).islower()


def _is_abbreviation(text: str, piece_start: int, period: int) -> bool:
    """Whether the period at `period` belongs to an abbreviation, initial or list number."""
    token_start = period
    while token_start > piece_start and not text[token_start - 1].isspace():
        token_start -= 1
    raw_token = text[token_start : period + 1]
    token = raw_token.lstrip("".join(_OPENERS))
    if token.lower() in _ABBREVIATIONS or _INITIALISM.fullmatch(token) or _INITIAL.fullmatch(token):
        return True
    if token == "No.":
        return _next_visible(text, period + 1).isdigit()
    # "1. Introduction": a list number opening the piece is not a sentence of its own.
    opens_piece = not text[piece_start:token_start].strip()
    return opens_piece and _ENUMERATOR.fullmatch(token) is not None


def _next_visible(text: str, index: int) -> str:
    while index < len(text) and text[index].isspace():
        index += 1
    return text[index] if index < len(text) else ""


def _enforce_cap(piece: str, cap: int) -> list[str]:
    """Break an over-long piece at clause marks, then spaces, then between CJK characters."""
    out: list[str] = []
    rest = piece
    while len(rest) > cap:
        cut = _find_break(rest, cap)
        if cut is None:
            break
        # rest has no leading whitespace and cut >= 1, so head is never empty.
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def _find_break(text: str, cap: int) -> int | None:
    """Best cut index with the head ≤ cap; failing that, the first legal cut past the cap."""
    window = range(min(cap, len(text) - 1), 0, -1)
    for is_legal in (_is_clause_break, _is_space_break, _is_cjk_break):
        for cut in window:
            if is_legal(text, cut):
                return cut
    # Nothing fits under the cap (a very long word): cut as soon as possible after it.
    for cut in range(cap + 1, len(text)):
        if _is_clause_break(text, cut) or _is_space_break(text, cut) or _is_cjk_break(text, cut):
            return cut
    return None


def _is_clause_break(text: str, cut: int) -> bool:
    """A cut right after a clause mark (and any closing quotes following it)."""
    if text[cut] in _CLOSERS:
        return False
    mark_end = cut
    while mark_end > 0 and text[mark_end - 1] in _CLOSERS:
        mark_end -= 1
    if mark_end == 0:
        return False
    mark = text[mark_end - 1]
    if mark in _CJK_CLAUSE:
        # Keep a "——" dash pair together.
        return not (mark == "—" and text[cut] == "—")
    if mark in _ASCII_CLAUSE:
        return text[cut].isspace() or is_cjk(text[cut])
    return False


def _is_space_break(text: str, cut: int) -> bool:
    return text[cut].isspace()


def _is_cjk_break(text: str, cut: int) -> bool:
    before, after = text[cut - 1], text[cut]
    if not (is_cjk(before) or is_cjk(after)):
        return False
    return after not in _NO_LEADING and before not in _OPENERS
