"""Reading real-time recognition control frames: JSON objects and the fields of `start`."""

from __future__ import annotations

import json
from typing import Any

from voxhub.errors import InvalidMessage
from voxhub.services.recognition.streams import StreamRequest


def json_object(text: str, shape: str = "a JSON object with a type field") -> dict[str, Any]:
    """A text frame as a JSON object, or InvalidMessage saying what is wrong with it; `shape`
    tells the client what a text frame of its protocol is."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidMessage(
            f"A text frame must be {shape}; this one is not valid JSON ({exc.msg} at "
            f"character {exc.pos})."
        ) from None
    if not isinstance(value, dict):
        raise InvalidMessage(f"A text frame must be {shape}, not {type(value).__name__}.")
    return value


def start_request(fields: dict[str, Any], where: str = "start") -> StreamRequest:
    """The stream options of a start message; types are checked here, values by the service."""
    defaults = StreamRequest()
    sample_rate = fields.get("sample_rate", defaults.sample_rate)
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int):
        raise InvalidMessage(f"{where}.sample_rate must be an integer in Hz, e.g. 16000.")
    audio_format = _text(fields, "format", defaults.audio_format, where)
    language = _text(fields, "language", defaults.language, where).lower()
    partials = fields.get("partials", defaults.partials)
    if not isinstance(partials, bool):
        raise InvalidMessage(f"{where}.partials must be true or false.")
    engine = fields.get("engine")
    if engine is not None and not isinstance(engine, str):
        raise InvalidMessage(f"{where}.engine must be an engine name, e.g. pocketsphinx.")
    return StreamRequest(
        sample_rate=sample_rate,
        audio_format=audio_format.lower(),
        language=language,
        partials=partials,
        hotwords=_hotwords(fields.get("hotwords"), where),
        engine=engine or None,
    )


def _text(fields: dict[str, Any], name: str, default: str, where: str) -> str:
    value = fields.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidMessage(f"{where}.{name} must be a string.")
    return value


def _hotwords(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # FunASR clients send hotwords as one space-separated string
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value)
    raise InvalidMessage(f"{where}.hotwords must be a list of strings.")
