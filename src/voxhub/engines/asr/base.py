"""The protocols every speech recognition engine implements, and the values they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

# mono float32 in [-1, 1] at the engine's sample rate (16 kHz for every engine voxhub ships)
Samples = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class RecognizedWord:
    """One recognized word and its span in seconds from the start of the utterance."""

    text: str
    start: float
    end: float
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class RecognizedSegment:
    """A stretch of speech (a VAD segment or a sentence) with its words."""

    text: str
    start: float
    end: float
    words: tuple[RecognizedWord, ...] = ()


@dataclass(frozen=True, slots=True)
class Transcript:
    """What an engine heard in one utterance or file."""

    text: str
    language: str
    duration: float
    segments: tuple[RecognizedSegment, ...] = ()

    @property
    def words(self) -> list[RecognizedWord]:
        return [word for segment in self.segments for word in segment.words]


@dataclass(frozen=True, slots=True)
class ASRCapabilities:
    """What an engine can do; the API decides from these, never from engine names."""

    # language codes the engine recognizes ("zh", "en"); "auto" detection when listed
    languages: frozenset[str]
    sample_rate: int
    word_timestamps: bool
    # partial hypotheses come from the decoder's running state (cheap) rather than re-decoding
    incremental: bool
    hotwords: bool = False


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """How one utterance stream is recognized; audio arrives at the engine's sample rate."""

    language: str | None = None
    partials: bool = True
    hotwords: tuple[str, ...] = field(default=())


@runtime_checkable
class ASRSession(Protocol):
    """Per-connection recognition state over one loaded model.

    Every method may block (decoding); callers run them off the event loop, one call at a
    time per session. Sessions of one engine run concurrently.
    """

    def accept(self, samples: Samples) -> None:
        """Append audio of the current utterance."""
        ...

    def partial(self) -> str:
        """The best hypothesis of the utterance so far ("" when nothing was heard yet)."""
        ...

    def final(self) -> Transcript:
        """Finish the utterance and return its transcript; the session is ready for the next."""
        ...

    def reset(self) -> None:
        """Drop the current utterance without decoding it."""
        ...

    def close(self) -> None:
        """Release what the session holds; the model stays loaded."""
        ...


@runtime_checkable
class ASREngine(Protocol):
    """A loaded speech recognition model, shared by every session of the process."""

    name: str

    @property
    def capabilities(self) -> ASRCapabilities: ...

    def open_session(self, options: StreamOptions) -> ASRSession: ...

    def transcribe(
        self,
        samples: Samples,
        language: str | None,
        word_timestamps: bool = True,
        prompt: str | None = None,
    ) -> Transcript:
        """Recognize a whole recording at the engine's sample rate.

        `prompt` (hotwords, or text like what was said) biases recognition towards its words;
        only engines whose capabilities list hotwords take one.
        """
        ...


def join_words(words: Sequence[str], language: str) -> str:
    """Words back into text: no spaces between Chinese characters, spaces elsewhere.

    In Chinese text ("zh") numbers and Latin words also join Chinese characters without
    a space (早上8点, 用iPhone拍照); only two Latin words get one.
    """
    out = ""
    for word in words:
        word = word.strip()
        if not word:
            continue
        left, right = is_cjk(out[-1]) if out else False, is_cjk(word[0])
        joined = (left or right) if language == "zh" else (left and right)
        # recognizers give closing punctuation as words of their own ("park", ".")
        joined = joined or word[0] in _CLOSING
        if out and not joined:
            out += " "
        out += word
    return out


_CLOSING = frozenset(".,!?;:%)]}")


def is_cjk(char: str) -> bool:
    # CJK punctuation (，。！？ and full-width forms) joins without spaces like characters do
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
    )
