"""The `remote` engine: speech from a synthesis service over HTTP, with cloning on Replicate."""

from __future__ import annotations

import re
import threading

import numpy as np

from voxhub.audio.decode import decode_audio
from voxhub.engines.tts.base import Capabilities, SpokenAudio, StockVoices, SynthesisParams, Voice
from voxhub.engines.tts.options import EngineOptions, RemoteEngineOptions
from voxhub.engines.tts.remote.openai_speech import OpenAISpeechClient
from voxhub.engines.tts.remote.replicate import ReplicateClient
from voxhub.engines.tts.remote.request import SpeechClient, SpeechRequest, with_defaults
from voxhub.engines.tts.remote.transport import RemoteHttp
from voxhub.errors import (
    CloningNotSupported,
    EngineUnavailable,
    UndecodableAudio,
    UnsupportedLanguage,
    VoiceNotFound,
)

_MODEL = re.compile(r"^[\w.-]+/[\w.-]+$")
_KNOBS = ("temperature", "top_p", "top_k", "instruction")


class RemoteEngine(StockVoices):
    """Sends each sentence to the service, at most `max_concurrency` at once per process.

    Gives no word timings: the synthesizer times subtitles by sentence instead.
    """

    label = "The remote engine"

    name = "remote"

    def __init__(
        self, options: RemoteEngineOptions, http: RemoteHttp, client: SpeechClient
    ) -> None:
        self._options = options
        self._http = http
        self._client = client
        # bounds remote calls in flight, whatever number of threads synthesize at once
        self._slots = threading.BoundedSemaphore(options.max_concurrency)
        languages = tuple(options.languages)
        self._voices = [
            Voice(
                id=f"remote:{name}",
                name=name,
                engine=self.name,
                languages=languages,
                description=f"{name} of the remote service at {http.root}",
            )
            for name in options.voices
        ]
        if options.protocol == "replicate":
            parameters = frozenset(k for k in _KNOBS if options.input_name(k))
        else:
            parameters = frozenset({"instruction"})
        self._capabilities = Capabilities(
            languages=frozenset(languages),
            sample_rate=options.sample_rate,
            word_timings=False,
            streaming=False,
            cloning=options.protocol == "replicate",
            parameters=parameters,
        )

    @classmethod
    def load(cls, options: EngineOptions) -> RemoteEngine:
        remote = _checked(options.remote)
        http = RemoteHttp(remote)
        client: SpeechClient = (
            ReplicateClient(http, remote)
            if remote.protocol == "replicate"
            else OpenAISpeechClient(http, remote)
        )
        return cls(remote, http, client)

    def close(self) -> None:
        self._http.close()

    def default_voice(self, language: str) -> Voice:
        if language not in self._capabilities.languages:
            raise UnsupportedLanguage(
                f"The remote engine speaks {', '.join(self._options.languages)}, not {language!r} "
                "(see VOXHUB_ENGINES__REMOTE__LANGUAGES)."
            )
        if not self._voices:
            raise VoiceNotFound(
                "The remote engine has no voices of its own; use a registered cloning voice."
            )
        return self._voices[0]

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        rate = self._options.sample_rate
        if not text.strip():
            return SpokenAudio(np.zeros(0, dtype=np.float32), rate, ())
        request = SpeechRequest(
            text=text,
            language=language,
            voice_name=self._voice_name(voice),
            reference=voice.reference,
            params=with_defaults(params, voice.defaults),
        )
        with self._slots:
            files = self._client.speak(request)
        # decoding is local work: done after the slot is free for the next remote call
        try:
            pieces = [decode_audio(data, rate).samples for data in files]
        except UndecodableAudio as exc:
            raise EngineUnavailable(
                f"The remote service returned audio voxhub cannot decode: {exc.message}"
            ) from exc
        return SpokenAudio(np.concatenate(pieces).astype(np.float32, copy=False), rate, ())

    def _voice_name(self, voice: Voice) -> str | None:
        """The service's voice for a non-cloning voice; cloning voices need none."""
        if voice.reference is not None:
            if not self._capabilities.cloning:
                raise CloningNotSupported(
                    f"Voice {voice.id!r} is a cloning voice, and the remote engine's "
                    f"{self._options.protocol} service cannot clone; choose one of "
                    f"{', '.join(v.id for v in self._voices)}."
                )
            return None
        if voice.name not in self._options.voices:
            raise VoiceNotFound(
                f"The remote engine has no voice {voice.name!r}; its voices are "
                f"{', '.join(v.id for v in self._voices) or 'none'} "
                "(see VOXHUB_ENGINES__REMOTE__VOICES)."
            )
        return voice.name


def _checked(remote: RemoteEngineOptions | None) -> RemoteEngineOptions:
    """Refuse settings the engine cannot work with, naming the setting to change."""
    if remote is None or not remote.base_url:
        raise EngineUnavailable(
            "The remote engine has no service to call; set VOXHUB_ENGINES__REMOTE__BASE_URL."
        )
    if not remote.base_url.startswith(("http://", "https://")):
        raise EngineUnavailable(
            f"VOXHUB_ENGINES__REMOTE__BASE_URL must be an http(s) URL, not {remote.base_url!r}."
        )
    if remote.protocol == "replicate" and not remote.version and not _MODEL.match(remote.model):
        raise EngineUnavailable(
            "The remote engine needs a model: set VOXHUB_ENGINES__REMOTE__MODEL to "
            "owner/name, or VOXHUB_ENGINES__REMOTE__VERSION to a model version."
        )
    if remote.protocol == "openai" and not (remote.model and remote.voices):
        raise EngineUnavailable(
            "The remote engine's OpenAI-compatible service needs VOXHUB_ENGINES__REMOTE__MODEL "
            "and at least one name in VOXHUB_ENGINES__REMOTE__VOICES."
        )
    if remote.protocol == "replicate" and not remote.input_name("text"):
        raise EngineUnavailable(
            "VOXHUB_ENGINES__REMOTE__INPUTS must name the model's text input ('text')."
        )
    return remote
