"""FunASR runtime results from voxhub's: appendable online pieces and millisecond timestamps."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voxhub.engines.asr.accuracy import normalize_for_scoring
from voxhub.engines.asr.base import RecognizedSegment, RecognizedWord

# the ranges `is_cjk` counts as characters: each is a word of its own
_CJK = "\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef"
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")


@dataclass(frozen=True, slots=True)
class _Token:
    # compared without case and punctuation: "Today," and "today" are the same word
    key: str
    end: int


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        key = normalize_for_scoring(match.group())
        if key:  # punctuation alone is no word: it travels with the text around it
            tokens.append(_Token(key, match.end()))
    return tokens


def _agreed(a: Sequence[_Token], b: Sequence[str]) -> int:
    count = 0
    for token, key in zip(a, b, strict=False):
        if token.key != key:
            break
        count += 1
    return count


class Increments:
    """The pieces of an utterance's text that FunASR clients append, from whole hypotheses.

    voxhub's partials are the whole utterance so far and may still change their last words;
    a FunASR client appends each online result to the text it has. A word is sent once two
    hypotheses in a row agree on it and on every word before it, so what was sent is seldom
    taken back; `finish` sends the rest of the final text.
    """

    def __init__(self) -> None:
        self._sent = 0
        self._previous: list[str] = []

    def advance(self, hypothesis: str) -> str:
        """The new piece to send for `hypothesis` ("" when nothing new is settled)."""
        tokens = _tokens(hypothesis)
        agreed = _agreed(tokens, self._previous)
        self._previous = [t.key for t in tokens]
        if agreed <= self._sent:
            return ""
        piece = hypothesis[self._cut(tokens) : tokens[agreed - 1].end]
        first = self._sent == 0
        self._sent = agreed
        return piece.lstrip() if first else piece

    def finish(self, text: str) -> str:
        """What of the final `text` was not sent yet; the next utterance starts afresh."""
        tokens = _tokens(text)
        rest = "" if self._sent > len(tokens) else text[self._cut(tokens) :]
        first = self._sent == 0
        self._sent, self._previous = 0, []
        return rest.strip() if first else rest.rstrip()

    def _cut(self, tokens: Sequence[_Token]) -> int:
        """Where the text after the words already sent begins."""
        return tokens[self._sent - 1].end if self._sent else 0


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _span(word: RecognizedWord) -> list[int]:
    return [_ms(word.start), _ms(word.end)]


def timestamp_text(words: Sequence[RecognizedWord]) -> str:
    """Word times in ms as FunASR writes them: a JSON string such as "[[100,200],[200,500]]"."""
    return json.dumps([_span(w) for w in words], separators=(",", ":"))


def stamp_sents(segments: Sequence[RecognizedSegment]) -> list[dict[str, Any]]:
    """FunASR's sentence stamps: words without punctuation joined by spaces, the closing
    punctuation, start and end in ms, and each word's span."""
    sentences = []
    for segment in segments:
        words = [bare for w in segment.words if (bare := _bare(w.text))]
        sentences.append(
            {
                "text_seg": " ".join(words) if words else segment.text.strip(),
                "punc": _closing(segment.text),
                "start": _ms(segment.start),
                "end": _ms(segment.end),
                "ts_list": [_span(w) for w in segment.words],
            }
        )
    return sentences


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _bare(word: str) -> str:
    start, end = 0, len(word)
    while start < end and (word[start].isspace() or _is_punctuation(word[start])):
        start += 1
    while end > start and (word[end - 1].isspace() or _is_punctuation(word[end - 1])):
        end -= 1
    return word[start:end]


def _closing(text: str) -> str:
    text = text.rstrip()
    return text[-1] if text and _is_punctuation(text[-1]) else ""
