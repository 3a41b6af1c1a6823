"""The FunASR runtime's first message (mode, audio_fs, wav_format, hotwords …) as stream options."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from voxhub.errors import InvalidMessage, UnsupportedFormat
from voxhub.services.recognition.streams import StreamRequest

MODES = ("online", "offline", "2pass")
DEFAULT_MODE = "2pass"
# what FunASR's own server calls a stream whose client named none
DEFAULT_WAV_NAME = "wav-default-id"

# the fields of the first message; any of them in a later message starts a new utterance
CONFIG_KEYS = frozenset(
    {
        "mode",
        "wav_name",
        "wav_format",
        "audio_fs",
        "chunk_size",
        "chunk_interval",
        "encoder_chunk_look_back",
        "decoder_chunk_look_back",
        "hotwords",
        "itn",
        "svs_lang",
        "svs_itn",
    }
)
# with these, the keys that tell a runtime client's frame from other dialects'
RUNTIME_KEYS = CONFIG_KEYS | {"is_speaking", "is_finished"}


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    mode: str
    request: StreamRequest


def runtime_config(fields: dict[str, Any]) -> RuntimeConfig:
    """Check the fields that matter to voxhub; the decoder tuning ones (chunk_interval, the
    look-backs, itn) are accepted as they are and change nothing."""
    mode = fields.get("mode", DEFAULT_MODE)
    if mode not in MODES:
        raise InvalidMessage(f"mode must be online, offline or 2pass, not {mode!r}.")
    audio_fs = fields.get("audio_fs", 16_000)
    if isinstance(audio_fs, bool) or not isinstance(audio_fs, int):
        raise InvalidMessage("audio_fs must be the PCM sample rate in Hz, e.g. 16000.")
    wav_format = fields.get("wav_format", "pcm")
    if not isinstance(wav_format, str) or wav_format.lower() != "pcm":
        raise UnsupportedFormat(
            f"wav_format {wav_format!r} is not supported: real-time recognition takes raw "
            'PCM16 mono (wav_format "pcm", the rate in audio_fs).'
        )
    _check_chunk_size(fields.get("chunk_size"))
    language = fields.get("svs_lang") or "auto"
    if not isinstance(language, str):
        raise InvalidMessage('svs_lang must be a language code such as "zh", "en" or "auto".')
    return RuntimeConfig(
        mode=mode,
        request=StreamRequest(
            sample_rate=audio_fs,
            audio_format="pcm16",
            language=language.lower(),
            partials=mode != "offline",
            hotwords=hotwords(fields.get("hotwords")),
        ),
    )


def wav_name(fields: dict[str, Any]) -> str:
    name = fields.get("wav_name")
    if not isinstance(name, str):
        raise InvalidMessage("wav_name must be a string naming the audio.")
    return name


def hotwords(value: Any) -> tuple[str, ...]:
    """FunASR clients send a JSON object of weights ('{"阿里巴巴": 20}') or words separated by
    spaces or commas; voxhub biases towards the words and has no use for the weights."""
    if value is None or value == "":
        return ()
    if isinstance(value, dict):
        return tuple(str(word) for word in value)
    if isinstance(value, list) and all(isinstance(word, str) for word in value):
        return tuple(word.strip() for word in value if word.strip())
    if not isinstance(value, str):
        raise InvalidMessage("hotwords must be a string: '{\"word\": 20}' or words.")
    try:
        weights = json.loads(value)
    except ValueError:
        weights = None
    if isinstance(weights, dict):
        return tuple(str(word) for word in weights)
    return tuple(word for word in re.split(r"[\s,]+", value) if word)


def _check_chunk_size(value: Any) -> None:
    if value is None:
        return
    parts = value.split(",") if isinstance(value, str) else value
    try:
        ok = isinstance(parts, list) and len(parts) == 3 and all(int(p) >= 0 for p in parts)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidMessage("chunk_size must be three numbers such as [5, 10, 5].")
