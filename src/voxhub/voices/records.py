"""What the registry keeps about a registered voice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from voxhub.engines.base import SynthesisParams

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

    def default_params(self) -> SynthesisParams:
        known = {k: v for k, v in self.defaults.items() if k in DEFAULT_KEYS and v is not None}
        return SynthesisParams(**known)


def apply_defaults(
    params: SynthesisParams, defaults: SynthesisParams | None, given: frozenset[str] | None
) -> SynthesisParams:
    """A request's knobs over a voice's defaults: what the request set wins.

    `given` names the knobs the request set; None means all of them (a stored job).
    """
    if defaults is None or given is None:
        return params
    merged = {}
    for key in DEFAULT_KEYS:
        value = getattr(params, key)
        if key not in given and getattr(defaults, key) is not None:
            value = getattr(defaults, key)
        merged[key] = value
    return SynthesisParams(**merged)
