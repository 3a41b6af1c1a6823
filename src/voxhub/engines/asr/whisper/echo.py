"""Whisper repeating its own style prompt on unclear audio: the repeat cut out of what it heard."""

from __future__ import annotations

from collections.abc import Sequence

# marks whisper may put around or inside the repeated sentence
_MARKS = "，。,. "


def echo_pieces(texts: Sequence[str], echo: str) -> range:
    """Indexes of the consecutive pieces that spell `echo` (marks ignored); empty if none do."""
    target = _bare(echo)
    if not target:
        return range(0)
    for first in range(len(texts)):
        if not _bare(texts[first]):
            continue
        spelled = ""
        for last in range(first, len(texts)):
            spelled += _bare(texts[last])
            if not target.startswith(spelled):
                break
            if spelled == target:
                # the mark that closed the repeated sentence goes with it
                while last + 1 < len(texts) and not _bare(texts[last + 1]):
                    last += 1
                return range(first, last + 1)
    return range(0)


def without_echo(text: str, echo: str) -> str:
    """`text` with the sentence `echo` (and the mark after it) taken out."""
    core = echo.rstrip(_MARKS)
    if not core or core not in text:
        return text
    before, _, after = text.partition(core)
    return (before + after.lstrip(_MARKS)).strip()


def _bare(text: str) -> str:
    return "".join(char for char in text if char not in _MARKS)
