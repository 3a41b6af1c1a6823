"""A registered voice's default knobs, and how a request's own knobs win over them."""

from __future__ import annotations

from voxhub.db.repositories.voice_records import DEFAULT_KEYS, RegisteredVoice
from voxhub.engines.tts.base import SynthesisParams


def default_params(voice: RegisteredVoice) -> SynthesisParams:
    """The knobs `voice` speaks with unless a request sets its own."""
    known = {k: v for k, v in voice.defaults.items() if k in DEFAULT_KEYS and v is not None}
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
