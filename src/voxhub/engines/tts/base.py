"""The protocol every TTS engine implements, and the values it exchanges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from voxhub.errors import UnsupportedLanguage
from voxhub.timing import WordTiming

if TYPE_CHECKING:
    from voxhub.engines.tts.options import EngineOptions

Samples = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an engine can do; the API and services decide from these, never from names."""

    languages: frozenset[str]
    sample_rate: int
    word_timings: bool
    streaming: bool
    cloning: bool
    # style knobs the engine honours, among temperature, top_p, top_k and instruction
    parameters: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class SynthesisParams:
    """Per-request knobs; engines ignore the ones their capabilities do not list."""

    speed: float = 1.0
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    instruction: str | None = None


@dataclass(frozen=True, slots=True)
class VoiceReference:
    """A cloning template: a recording of the voice and what is said in it."""

    # the recording as it was uploaded (wav, mp3, flac or ogg)
    audio: bytes
    media_type: str
    transcript: str
    # how long the recording lasts, in seconds
    duration: float


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice an engine can speak with. `id` is `ENGINE:NAME` for an engine's own voices,
    the registered id for voices kept in the voice registry."""

    id: str
    name: str
    engine: str
    languages: tuple[str, ...]
    gender: str | None = None
    description: str = ""
    # set for cloning voices: the engine speaks like this recording
    reference: VoiceReference | None = field(default=None, compare=False, repr=False)
    # the default knobs a registered voice speaks with, before a request's own
    defaults: SynthesisParams | None = field(default=None, compare=False)

    @property
    def language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True, slots=True)
class SpokenAudio:
    """Mono float32 audio of one sentence and its word timings, relative to its first sample."""

    samples: Samples
    sample_rate: int
    words: Sequence[WordTiming] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@runtime_checkable
class CataloguedEngine(Protocol):
    """An engine class that can list its voices without loading a model (`voxhub voices`,
    `GET /v1/voices` before the engine's first use)."""

    @classmethod
    def catalog(cls, options: EngineOptions) -> Sequence[Voice] | None:
        """The voices `load(options)` would offer, or None when only loading can tell."""
        ...


@runtime_checkable
class TTSEngine(Protocol):
    """A loaded text-to-speech model. Thread-safe: sessions call `synthesize` concurrently."""

    name: str

    @property
    def capabilities(self) -> Capabilities: ...

    def voices(self) -> Sequence[Voice]: ...

    def default_voice(self, language: str) -> Voice: ...

    def find_voice(self, name: str) -> Voice | None:
        """The voice `ENGINE:NAME` or `NAME`, including ones composed on demand; None if none."""
        ...

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        """Speak one normalized sentence. Raises voxhub.errors.EngineUnavailable on failure."""
        ...


class StockVoices:
    """What every engine repeats: the capabilities and voices it loaded with, and the default
    voice of each language it speaks. Engines set the three attributes in `__init__`."""

    # how error messages name the engine, e.g. "Kokoro"
    label: str
    _capabilities: Capabilities
    _voices: Sequence[Voice]
    # language -> id of the voice spoken when a request names none
    _default_ids: Mapping[str, str]

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def voices(self) -> Sequence[Voice]:
        return self._voices

    def default_voice(self, language: str) -> Voice:
        wanted = self._default_ids.get(language)
        if wanted is None:
            spoken = " and ".join(sorted(self._default_ids))
            raise UnsupportedLanguage(f"{self.label} speaks {spoken} here, not {language!r}.")
        return next(v for v in self._voices if v.id == wanted)

    def find_voice(self, name: str) -> Voice | None:
        _, _, short = name.rpartition(":")
        return next((v for v in self._voices if v.id == name or v.name == short), None)
