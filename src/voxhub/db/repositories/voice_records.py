"""What the voice registry keeps about a registered voice, as the repository returns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# the knobs a registered voice may carry as defaults
DEFAULT_KEYS = ("speed", "temperature", "top_p", "top_k", "instruction")


@dataclass(frozen=True, slots=True)
class ReferenceInfo:
    """The stored reference recording of a cloning template."""

    key: str
    media_type: str
    duration: float
    sample_rate: int


@dataclass(frozen=True, slots=True)
class RegisteredVoice:
    id: str
    name: str
    language: str
    engine: str
    aliases: tuple[str, ...] = ()
    engine_voice: str | None = None
    reference: ReferenceInfo | None = None
    transcript: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def cloning(self) -> bool:
        return self.reference is not None
