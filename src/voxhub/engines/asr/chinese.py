"""Recognized Chinese in simplified characters with full-width punctuation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from voxhub.engines.asr.base import RecognizedSegment

# ASCII marks whisper writes after Chinese characters, and what Chinese text uses instead
_FULL_WIDTH = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
# only after a Chinese character, so "3.5" and "1,000" keep theirs
_ASCII_MARK = re.compile(r"(?<=[\u3400-\u9fff])[,.?!:;]")
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
# Chinese text runs on: no space next to a character, even before or after a Latin word
# (用iPhone拍照), though whisper writes one before each Latin word
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_ENDS_IN_HAN = re.compile(r"[\u3400-\u9fff]$")
# sentence-final particles of a question
_QUESTION_PARTICLES = "吗呢么"


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


class ChineseText:
    """Traditional → simplified conversion (OpenCC), loaded once per engine."""

    def __init__(self, converter: _Converter) -> None:
        self._converter = converter

    @classmethod
    def load(cls) -> ChineseText:
        import opencc

        return cls(opencc.OpenCC("t2s"))

    def clean(self, text: str) -> str:
        """Simplified characters, full-width punctuation, no spaces next to characters."""
        text = self._converter.convert(text.strip())
        text = _ASCII_MARK.sub(lambda mark: _FULL_WIDTH[mark.group()], text)
        return _SPACE_BY_CJK.sub("", text)


def closed(text: str) -> str:
    """Chinese text that ends here, with its closing mark: whisper often leaves it out."""
    if text.endswith(("，", "、")):
        # a sentence cut off at a pause still ends here
        text = text[:-1]
    if not _ENDS_IN_HAN.search(text):
        return text
    return text + ("？" if text[-1] in _QUESTION_PARTICLES else "。")


def closed_last(
    segments: Sequence[RecognizedSegment], language: str
) -> tuple[RecognizedSegment, ...]:
    """Segments of Chinese speech that ends after them, the last one closed by a mark (only
    there: a pause inside a sentence also ends a segment)."""
    if language != "zh" or not segments:
        return tuple(segments)
    last = segments[-1]
    return (*segments[:-1], replace(last, text=closed(last.text)))
