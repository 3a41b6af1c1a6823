"""OpenAI's model names mapped onto voxhub's engines, and the model objects that list them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from voxhub.container import Container
from voxhub.errors import ModelNotFound

Kind = Literal["speech", "transcription"]

# the names OpenAI clients send: each means the configured default engine of its kind
SPEECH_MODELS = (
    "tts-1",
    "tts-1-hd",
    "gpt-4o-mini-tts",
    "tts-1-1106",
    "tts-1-hd-1106",
    "gpt-4o-mini-tts-2025-03-20",
    "gpt-4o-mini-tts-2025-12-15",
)
TRANSCRIPTION_MODELS = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
)
# a model object's `created`: the models became available when this process started
_STARTED = int(time.time())


@dataclass(frozen=True)
class Model:
    id: str
    kind: Kind
    # the voxhub engine that serves it
    engine: str

    def to_json(self) -> dict[str, Any]:
        """OpenAI's model object, plus what serves it here (clients ignore extra keys)."""
        return {
            "id": self.id,
            "object": "model",
            "created": _STARTED,
            "owned_by": "voxhub",
            "kind": self.kind,
            "engine": self.engine,
        }


def models(container: Container) -> list[Model]:
    """OpenAI's speech and transcription model names, then every enabled engine by name."""
    settings = container.settings
    return [
        *(Model(name, "speech", settings.engines.default) for name in SPEECH_MODELS),
        *(Model(name, "speech", name) for name in container.engines.enabled),
        *(Model(name, "transcription", settings.asr.default) for name in TRANSCRIPTION_MODELS),
        *(Model(name, "transcription", name) for name in container.asr_engines.enabled),
    ]


def find_model(container: Container, model_id: str, kind: Kind | None = None) -> Model:
    """The model called `model_id` (of `kind`, when given); ModelNotFound names the others."""
    known = [m for m in models(container) if kind is None or m.kind == kind]
    for model in known:
        if model.id == model_id:
            return model
    what = {"speech": "speech model", "transcription": "transcription model", None: "model"}[kind]
    raise ModelNotFound(
        f"The {what} {model_id!r} does not exist here; use one of: "
        f"{', '.join(m.id for m in known)} (GET /v1/models lists them)."
    )
