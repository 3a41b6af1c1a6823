"""Write cues as SRT, WebVTT or JSON, and read SRT back."""

from __future__ import annotations

import re
from collections.abc import Sequence

from voxhub.subtitles.cues import Cue


def to_srt(cues: Sequence[Cue]) -> str:
    """Standard SubRip: number, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text lines, blank line."""
    return "".join(
        f"{cue.index}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{_text_lines(cue.text)}\n"
        for cue, (start, end) in zip(cues, _milliseconds(cues), strict=True)
    )


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT with the cue numbers as identifiers and `&`, `<`, `>` escaped in the text."""
    blocks = (
        f"{cue.index}\n{_stamp(start, '.')} --> {_stamp(end, '.')}\n"
        f"{_text_lines(_vtt_escape(cue.text))}\n"
        for cue, (start, end) in zip(cues, _milliseconds(cues), strict=True)
    )
    return "WEBVTT\n\n" + "".join(blocks)


def to_json(cues: Sequence[Cue]) -> list[dict[str, object]]:
    """Cues as plain dicts with times in seconds rounded to milliseconds."""
    return [
        {"index": cue.index, "start": start / 1000, "end": end / 1000, "text": cue.text}
        for cue, (start, end) in zip(cues, _milliseconds(cues), strict=True)
    ]


_INDEX = re.compile(r"[0-9]+")
_TIMES = re.compile(
    r"^\s*(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})\s*-->\s*(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})"
)


def parse_srt(text: str) -> list[Cue]:
    """Read SubRip text; tolerates \\r\\n, a BOM and extra blank lines, else raises ValueError."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            cues.append(_parse_block(block))
            block = []
    return cues


def _parse_block(block: list[tuple[int, str]]) -> Cue:
    (number, first), *rest = block
    if not _INDEX.fullmatch(first.strip()):
        raise ValueError(f"SRT line {number}: expected a cue number, got {first.strip()!r}.")
    if not rest:
        raise ValueError(f"SRT line {number}: cue {first.strip()} has no timing line after it.")
    timing_number, timing = rest[0]
    match = _TIMES.match(timing)
    if match is None:
        raise ValueError(
            f"SRT line {timing_number}: expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm', got {timing!r}."
        )
    start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
    if end < start:
        raise ValueError(f"SRT line {timing_number}: the cue ends before it starts.")
    return Cue(int(first), start, end, "\n".join(line for _, line in rest[1:]))


def _seconds(parts: Sequence[str]) -> float:
    hours, minutes, seconds, millis = (int(p) for p in parts)
    return ((hours * 60 + minutes) * 60 + seconds) + millis / 1000


def _milliseconds(cues: Sequence[Cue]) -> list[tuple[int, int]]:
    """Whole-millisecond (start, end) of each cue, never ending after the next one starts.

    Rounding is monotonic so ordered cues stay ordered; the clamp covers cues given
    slightly out of order by other sources.
    """
    spans = [(_ms(cue.start), _ms(cue.end)) for cue in cues]
    clamped: list[tuple[int, int]] = []
    for i, (start, end) in enumerate(spans):
        next_start = spans[i + 1][0] if i + 1 < len(spans) else end
        clamped.append((start, max(start, min(end, next_start))))
    return clamped


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _stamp(millis: int, separator: str) -> str:
    seconds, ms = divmod(millis, 1000)
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    return f"{hours:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def _text_lines(text: str) -> str:
    # a blank line would end the cue early, so text lines are never blank
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    return "".join(f"{line}\n" for line in lines)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
