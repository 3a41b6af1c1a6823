"""When each word and sentence is spoken, in seconds from the start of the audio."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class WordTiming:
    """One spoken word (as the engine spoke it) and its span in seconds."""

    text: str
    start: float
    end: float

    def shifted(self, offset: float) -> WordTiming:
        return replace(self, start=self.start + offset, end=self.end + offset)


@dataclass(frozen=True, slots=True)
class SentenceTiming:
    """One sentence as the user wrote it, its span, and the words spoken in it.

    `text` is the display text (before normalization); `words` are the spoken
    words (after normalization), in order, within [start, end].
    """

    text: str
    start: float
    end: float
    words: tuple[WordTiming, ...] = field(default=())

    def shifted(self, offset: float) -> SentenceTiming:
        return SentenceTiming(
            text=self.text,
            start=self.start + offset,
            end=self.end + offset,
            words=tuple(w.shifted(offset) for w in self.words),
        )
