"""OpenAI-compatible speech: one POST /v1/audio/speech per sentence, answered with a WAV file."""

from __future__ import annotations

from typing import Any

from voxhub.engines.tts.options import RemoteEngineOptions
from voxhub.engines.tts.remote.request import SpeechRequest
from voxhub.engines.tts.remote.transport import RemoteHttp
from voxhub.errors import CloningNotSupported, InvalidInput

# the speed range the OpenAI speech API accepts
_MIN_SPEED, _MAX_SPEED = 0.25, 4.0


class OpenAISpeechClient:
    """Speaks with the service's named voices; it cannot clone."""

    def __init__(self, http: RemoteHttp, options: RemoteEngineOptions) -> None:
        self._http = http
        self._options = options

    def speak(self, request: SpeechRequest) -> list[bytes]:
        response = self._http.request(
            "POST", "/v1/audio/speech", "requesting speech", json=self.body_for(request)
        )
        return [response.content]

    def body_for(self, request: SpeechRequest) -> dict[str, Any]:
        if request.reference is not None:
            raise CloningNotSupported(
                "The remote engine speaks through an OpenAI-compatible service here, which "
                "cannot clone a voice; choose one of its voices "
                f"({', '.join(f'remote:{v}' for v in self._options.voices)})."
            )
        if request.voice_name is None:
            raise InvalidInput("The OpenAI-compatible service needs one of its voices by name.")
        body: dict[str, Any] = {
            "model": self._options.model,
            "voice": request.voice_name,
            "input": request.text,
            "response_format": "wav",
            "speed": min(max(request.params.speed, _MIN_SPEED), _MAX_SPEED),
        }
        if request.params.instruction:
            body["instructions"] = request.params.instruction
        return body
