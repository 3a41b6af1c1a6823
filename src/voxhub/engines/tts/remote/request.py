"""What the remote engine asks a protocol client to speak, and how a client answers."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Protocol

from voxhub.engines.tts.base import SynthesisParams, VoiceReference
from voxhub.errors import EngineUnavailable


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """One sentence to speak, with an engine voice name or a cloning reference."""

    text: str
    language: str
    # the service's own voice, when the voice is not a cloning one
    voice_name: str | None
    reference: VoiceReference | None
    params: SynthesisParams


class SpeechClient(Protocol):
    """A protocol client: returns the encoded audio files the service produced, in order."""

    def speak(self, request: SpeechRequest) -> list[bytes]: ...


def with_defaults(params: SynthesisParams, defaults: SynthesisParams | None) -> SynthesisParams:
    """A request's knobs, falling back to a registered voice's defaults where it set none."""
    if defaults is None:
        return params
    return SynthesisParams(
        speed=params.speed if params.speed != 1.0 else defaults.speed,
        temperature=params.temperature if params.temperature is not None else defaults.temperature,
        top_p=params.top_p if params.top_p is not None else defaults.top_p,
        top_k=params.top_k if params.top_k is not None else defaults.top_k,
        instruction=params.instruction if params.instruction else defaults.instruction,
    )


def data_uri(data: bytes, media_type: str) -> str:
    """The bytes as an RFC 2397 data URI, the way Replicate takes small file inputs."""
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{media_type or 'application/octet-stream'};base64,{encoded}"


def data_uri_bytes(uri: str) -> bytes:
    """The bytes a base64 data URI holds (the form some services return outputs in)."""
    header, sep, payload = uri.partition(",")
    if not sep or not header.endswith(";base64"):
        raise EngineUnavailable("The remote service returned a data URI that is not base64.")
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise EngineUnavailable(f"The remote service returned a broken data URI ({exc}).") from exc
