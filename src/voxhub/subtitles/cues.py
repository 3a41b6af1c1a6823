"""Build subtitle cues (at most a few short lines each) from sentence and word timings."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voxhub.timing import SentenceTiming, WordTiming


@dataclass(frozen=True)
class Cue:
    """One subtitle: 1-based index, span in seconds, lines joined by "\\n"."""

    index: int
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class CueRules:
    """How much text one cue may show."""

    max_lines: int = 2
    cjk_chars_per_line: int = 20
    latin_chars_per_line: int = 42

    def __post_init__(self) -> None:
        for name in ("max_lines", "cjk_chars_per_line", "latin_chars_per_line"):
            if getattr(self, name) < 1:
                raise ValueError(f"CueRules.{name} must be at least 1.")


def build_cues(sentences: Sequence[SentenceTiming], rules: CueRules) -> list[Cue]:
    """Cues for the sentences, in order and never overlapping.

    Each sentence is one cue if it fits, else it is split at punctuation or word
    boundaries into pieces that do; pieces are timed along the sentence's words when
    it has them. Sentences without duration join a neighbour; the last cue ends at the
    last sentence's end. If no sentence has any duration there is nothing to time: [].
    """
    spans = _timed_spans(sentences)
    cues: list[Cue] = []
    for span in spans:
        for start, end, text in _split_span(span, rules):
            cues.append(Cue(len(cues) + 1, start, end, text))
    if cues:
        final_end = max(s.end for s in sentences)
        last = cues[-1]
        cues[-1] = Cue(last.index, last.start, max(last.end, final_end), last.text)
    return cues


# ---------------------------------------------------------------------------------------
# Sentences -> timed spans of text


@dataclass
class _Span:
    """Text shown over [start, end] (end > start), with the words spoken in it."""

    text: str
    start: float
    end: float
    words: tuple[WordTiming, ...]


def _timed_spans(sentences: Sequence[SentenceTiming]) -> list[_Span]:
    """Spans with text, each starting no earlier than the previous sentence ends.

    Text of a sentence without (remaining) duration goes to the previous span, or to
    the next one when nothing precedes it, so no text is lost while there is any time
    to show it in; a sentence with duration but no text can host such text.
    """
    spans: list[_Span] = []
    orphan = ""
    cursor = -math.inf
    for sentence in sentences:
        start = max(sentence.start, cursor)
        if sentence.end > start:
            text = _join(orphan, sentence.text)
            spans.append(_Span(text, start, sentence.end, sentence.words))
            orphan = ""
            cursor = sentence.end
        elif spans:
            spans[-1].text = _join(spans[-1].text, sentence.text)
        else:
            orphan = _join(orphan, sentence.text)
    return [span for span in spans if span.text]


def _join(left: str, right: str) -> str:
    left, right = left.strip(), right.strip()
    if not left or not right:
        return left or right
    # Latin sentences are separated by a space; CJK ones run on
    glue = "" if _is_cjk(left[-1]) or _is_cjk(right[0]) else " "
    return left + glue + right


# ---------------------------------------------------------------------------------------
# Text -> atoms (unbreakable pieces)

_CJK_RANGES = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FFF),
    (0x3000, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
# _CLOSING marks never start a line and _OPENING marks never end one
_CLOSING = set("，。、；：！？…）》」』】〕〉”’・ー〜,.;:!?)]}%'\"")
_OPENING = set("（《「『【〔〈“‘([{")
_STRONG_STOPS = set("。！？；…!?;.")
_WEAK_STOPS = set("，、：,:—–-")
_CLOSERS = "”’」』）》】〕〉)]}'\""


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


@dataclass(frozen=True)
class _Atom:
    """Text that stays on one line; `spaced` if a space separates it from the previous atom."""

    text: str
    spaced: bool
    offset: int  # non-space characters of the span before this atom
    stop: int  # 2 after sentence punctuation, 1 after a comma-like mark, else 0


_TOKEN = re.compile(r"\s+|\S")


def _atoms(text: str) -> list[_Atom]:
    """Split text where a line may break: at spaces, and between CJK characters."""
    bodies: list[str] = []
    spaced_flags: list[bool] = []
    spaced = False
    for token in _TOKEN.findall(text):
        if token.isspace():
            spaced = True
        elif bodies and not spaced and _glued(bodies[-1], token):
            bodies[-1] += token
        else:
            bodies.append(token)
            spaced_flags.append(spaced and len(bodies) > 1)
            spaced = False
    offsets = itertools.accumulate((len(b) for b in bodies), initial=0)
    return [
        _Atom(body, flag, offset, _stop_strength(body))
        for body, flag, offset in zip(bodies, spaced_flags, offsets, strict=False)
    ]


def _glued(previous: str, char: str) -> bool:
    """Whether `char` must stay on the same line as the (unspaced) text before it."""
    if char in _CLOSING or previous[-1] in _OPENING:
        return True
    # CJK characters may part from anything; a run of Latin letters or digits is a word
    return not _is_cjk(char) and not _is_cjk(previous[-1])


def _stop_strength(body: str) -> int:
    core = body.rstrip(_CLOSERS) or body
    if core[-1] in _STRONG_STOPS:
        return 2
    return 1 if core[-1] in _WEAK_STOPS else 0


def _mostly_cjk(text: str) -> bool:
    visible = [c for c in text if not c.isspace()]
    return 2 * sum(1 for c in visible if _is_cjk(c)) >= len(visible)


# ---------------------------------------------------------------------------------------
# Atoms -> pieces (cues) -> lines


class _Layout:
    """Line-fitting arithmetic over one span's atoms."""

    def __init__(self, atoms: list[_Atom], width: int) -> None:
        self.atoms = atoms
        self.width = width

    def line_width(self, first: int, stop: int) -> int:
        """Characters in one line made of atoms[first:stop]."""
        chosen = self.atoms[first:stop]
        return sum(len(a.text) for a in chosen) + sum(1 for a in chosen[1:] if a.spaced)

    def lines_needed(self, first: int, stop: int) -> int:
        """Lines greedy wrapping uses (the fewest possible); an over-long atom gets its own."""
        lines, used = 0, 0
        for atom in self.atoms[first:stop]:
            extra = len(atom.text) + (1 if atom.spaced else 0)
            if lines and used + extra <= self.width:
                used += extra
            else:
                lines, used = lines + 1, len(atom.text)
        return lines

    def longest_fit(self, first: int, max_lines: int) -> int:
        """The largest stop such that atoms[first:stop] fit in max_lines lines (>= first + 1)."""
        lines, used, stop = 0, 0, first
        for atom in self.atoms[first:]:
            extra = len(atom.text) + (1 if atom.spaced else 0)
            if lines and used + extra <= self.width:
                used += extra
            else:
                if lines == max_lines:
                    break
                lines, used = lines + 1, len(atom.text)
            stop += 1
        return stop

    def best_break(
        self, first: int, candidates: Iterable[int], ideal: float, stop_weight: float
    ) -> int:
        """The candidate break closest to the ideal length, favouring breaks at punctuation."""

        def cost(at: int) -> float:
            balance = abs(self.line_width(first, at) - ideal) / max(ideal, 1.0)
            return balance + stop_weight * (2 - self.atoms[at - 1].stop)

        return min(candidates, key=cost)


def _pieces(layout: _Layout, max_lines: int) -> list[tuple[int, int]]:
    """Split all atoms into runs that each fit in max_lines lines."""
    pieces: list[tuple[int, int]] = []
    first, count = 0, len(layout.atoms)
    while first < count:
        fit = layout.longest_fit(first, max_lines)
        if fit == count:
            pieces.append((first, count))
            break
        # split the rest into equal-ish pieces rather than full ones and a stub
        rest = layout.line_width(first, count)
        parts = math.ceil(rest / max(layout.line_width(first, fit), 1))
        at = layout.best_break(first, range(first + 1, fit + 1), rest / max(parts, 2), 0.3)
        pieces.append((first, at))
        first = at
    return pieces


def _lines(layout: _Layout, first: int, stop: int, max_lines: int) -> list[str]:
    """Balanced lines for one piece, using no more lines than greedy wrapping would."""
    needed = layout.lines_needed(first, stop)
    if needed <= 1 or max_lines <= 1:
        return [_line_text(layout.atoms[first:stop])]
    ideal = layout.line_width(first, stop) / needed
    # breaks that keep the first line within width and the rest within the lines left;
    # greedy wrapping's own break always qualifies
    feasible = (
        at
        for at in range(first + 1, stop)
        if (layout.line_width(first, at) <= layout.width or at == first + 1)
        and layout.lines_needed(at, stop) <= needed - 1
    )
    at = layout.best_break(first, feasible, ideal, 0.3)
    return [_line_text(layout.atoms[first:at]), *_lines(layout, at, stop, needed - 1)]


def _line_text(atoms: Sequence[_Atom]) -> str:
    return "".join((" " if a.spaced and i else "") + a.text for i, a in enumerate(atoms))


# ---------------------------------------------------------------------------------------
# Piece timing


def _split_span(span: _Span, rules: CueRules) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue the span becomes."""
    cjk = _mostly_cjk(span.text)
    atoms = _atoms(span.text)
    width = rules.cjk_chars_per_line if cjk else rules.latin_chars_per_line
    layout = _Layout(atoms, width)
    pieces = _pieces(layout, rules.max_lines)
    total = sum(len(a.text) for a in atoms)
    inner = [atoms[first].offset / total for first, _ in pieces[1:]]
    times = _strictly_increasing([span.start, *_timeline(span).at(inner), span.end])
    return [
        (times[i], times[i + 1], "\n".join(_lines(layout, first, stop, rules.max_lines)))
        for i, (first, stop) in enumerate(pieces)
    ]


class _Timeline:
    """Maps a fraction of a span's text to a time, along its words when it has them."""

    def __init__(self, positions: list[float], times: list[float]) -> None:
        self._positions = positions  # non-decreasing, from 0 to 1
        self._times = times

    def at(self, fractions: Sequence[float]) -> list[float]:
        return [self._time(f) for f in fractions]

    def _time(self, fraction: float) -> float:
        # the last knot at or before the fraction, then interpolate towards the next
        i = max(0, bisect.bisect_right(self._positions, fraction) - 1)
        if i + 1 >= len(self._positions):
            return self._times[-1]
        x0, x1 = self._positions[i], self._positions[i + 1]
        t0, t1 = self._times[i], self._times[i + 1]
        return t0 if x1 <= x0 else t0 + (t1 - t0) * (fraction - x0) / (x1 - x0)


def _timeline(span: _Span) -> _Timeline:
    """Knots at each word's start and end, placed by spoken characters before it.

    Display text and spoken words differ ("50%" vs "fifty percent"), so a display
    fraction is matched to the same fraction of the spoken characters.
    """
    sizes = [len("".join(w.text.split())) for w in span.words]
    spoken = sum(sizes)
    if spoken == 0:
        return _Timeline([0.0, 1.0], [span.start, span.end])
    positions, times = [0.0], [span.start]
    done = 0
    for word, size in zip(span.words, sizes, strict=True):
        if size == 0:
            continue
        positions += [done / spoken, (done + size) / spoken]
        times += [word.start, word.end]
        done += size
    positions.append(1.0)
    times.append(span.end)
    # engines' word times may stray; keep them inside the span and in order
    clamped = [min(max(t, span.start), span.end) for t in times]
    return _Timeline(positions, list(itertools.accumulate(clamped, max)))


def _strictly_increasing(times: list[float]) -> list[float]:
    """Nudge inner boundaries apart so every piece lasts at least a tenth of its fair share."""
    pieces = len(times) - 1
    if pieces <= 1:
        return times
    gap = (times[-1] - times[0]) / pieces * 0.1
    fixed = list(times)
    for i in range(1, pieces):
        fixed[i] = max(fixed[i], fixed[i - 1] + gap)
    for i in range(pieces - 1, 0, -1):
        fixed[i] = min(fixed[i], fixed[i + 1] - gap)
    return fixed
