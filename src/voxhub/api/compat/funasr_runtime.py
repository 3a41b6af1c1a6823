"""The FunASR runtime's WebSocket protocol (funasr-wss-server) as a dialect of voxhub's streams."""

from __future__ import annotations

import json
from typing import Any

from voxhub.api.compat.funasr_config import (
    CONFIG_KEYS,
    DEFAULT_MODE,
    DEFAULT_WAV_NAME,
    RUNTIME_KEYS,
    runtime_config,
    wav_name,
)
from voxhub.api.compat.funasr_results import Increments, stamp_sents, timestamp_text
from voxhub.api.errors import status_for, ws_close_code
from voxhub.api.ws.connection import Audio, Command, Frame, Start, Stop
from voxhub.api.ws.messages import json_object
from voxhub.engines.asr.base import Transcript
from voxhub.errors import (
    InvalidMessage,
    NoAudio,
    StreamNotStarted,
    StreamProtocolError,
    UtteranceTooLong,
    VoxhubError,
)
from voxhub.services.recognition.session import StreamInfo

# FunASR's clients ask for this WebSocket subprotocol; browsers need it answered
SUBPROTOCOL = "binary"

_ONLINE = {"online": "online", "offline": "offline", "2pass": "2pass-online"}
_FINAL = {"online": "online", "offline": "offline", "2pass": "2pass-offline"}
_SHAPE = 'a JSON object such as {"mode": "2pass", "is_speaking": true} or {"is_speaking": false}'


class RuntimeDialect:
    """FunASR's runtime protocol on one connection, whose settings, mode, wav_name and sent
    text it keeps.

    Client frames: a first JSON message {"mode": "online" | "offline" | "2pass", "wav_name",
    "wav_format": "pcm", "audio_fs", "is_speaking": true, "chunk_size", "chunk_interval",
    "hotwords", "itn", "svs_lang"} opens a stream; binary frames are PCM16 audio;
    {"is_speaking": false} ends the utterance (the stream stays open: more audio starts the
    next one, and another first message starts afresh with its settings).
    Server frames: {"mode", "wav_name", "text", "is_final", …}. Online results ("online",
    "2pass-online") carry the new piece of text, which clients append; the result answering
    {"is_speaking": false} has "is_final": true and is "offline" / "2pass-offline" with the
    utterance's whole text, "timestamp" (ms, a JSON string) and "stamp_sents", or in online
    mode the last piece. Refusals are results with "text": "" plus "error", "code" and
    "message".
    """

    def __init__(self) -> None:
        self._fields: dict[str, Any] = {}
        self._mode = DEFAULT_MODE
        self._wav_name = DEFAULT_WAV_NAME
        self._pieces = Increments()
        # a first message is being taken: refusing it ends what the client waits for
        self._configuring = False
        self._opened = False

    def recognizes(self, text: str) -> bool:
        try:
            fields = json.loads(text)
        except ValueError:
            return False
        if not isinstance(fields, dict) or "type" in fields:
            return False
        return bool(RUNTIME_KEYS & fields.keys())

    def parse(self, text: str | None, data: bytes | None) -> Command | None:
        if data is not None:
            return Audio(data)
        fields = json_object(text or "", _SHAPE)
        speaking = fields.get("is_speaking")
        if speaking is not None and not isinstance(speaking, bool):
            raise InvalidMessage("is_speaking must be true or false.")
        config = {key: value for key, value in fields.items() if key in CONFIG_KEYS}
        stopping = speaking is False or fields.get("is_finished") is True
        self._configuring = bool(config) and not stopping
        if "wav_name" in config:
            self._wav_name = wav_name(config)
        if stopping:
            return Stop()
        if config or (speaking is True and not self._opened):
            # like FunASR's server, settings a message leaves out keep their earlier values
            # (a bare {"is_speaking": true} opens a stream with the defaults)
            merged = {**self._fields, **config}
            chosen = runtime_config(merged)
            self._fields, self._mode = merged, chosen.mode
            return Start(chosen.request)
        if speaking is True:
            return None
        raise InvalidMessage(
            'Send a first message with "mode" (online, offline or 2pass), then PCM audio in '
            'binary frames, then {"is_speaking": false}.'
        )

    def greeting(self, connection_id: str) -> Frame | None:
        return None

    def ready(self, info: StreamInfo) -> Frame | None:
        self._pieces = Increments()
        self._configuring = False
        self._opened = True
        return None

    def partial(self, text: str) -> Frame | None:
        piece = self._pieces.advance(text)
        return self._result(_ONLINE[self._mode], piece, False) if piece else None

    def final(self, transcript: Transcript, requested: bool) -> Frame:
        rest = self._pieces.finish(transcript.text)
        if self._mode == "online":
            return self._result("online", rest, requested)
        return self._result(
            _FINAL[self._mode],
            transcript.text,
            requested,
            timestamp=timestamp_text(transcript.words),
            stamp_sents=stamp_sents(transcript.segments),
        )

    def reset(self, info: StreamInfo) -> Frame | None:
        return None

    def pong(self) -> Frame | None:
        return None

    def error(self, error: VoxhubError, command: Command | None) -> Frame | None:
        if isinstance(error, StreamNotStarted) and isinstance(command, Audio):
            # audio before the first message is dropped, as FunASR's server drops it
            return None
        if isinstance(error, UtteranceTooLong):
            # the final that follows says it: a result with "is_final": false
            return None
        if isinstance(command, Stop) or (
            command is None and not isinstance(error, StreamProtocolError)
        ):
            # the utterance is gone (finished empty, or dropped by an engine failure)
            self._pieces = Increments()
        if isinstance(error, StreamNotStarted | NoAudio) and isinstance(command, Stop):
            return self._result(_FINAL[self._mode], "", True)
        # a refused first message, a failed final or a closing connection leaves nothing to
        # wait for: is_final releases a client waiting for the end
        refused_start = self._configuring or isinstance(command, Start)
        self._configuring = False
        ends = refused_start or isinstance(command, Stop) or ws_close_code(error) is not None
        return self._result(
            _FINAL[self._mode],
            "",
            ends,
            code=status_for(error),
            error=error.code,
            message=error.message,
        )

    def _result(self, mode: str, text: str, is_final: bool, **fields: Any) -> Frame:
        return {
            "mode": mode,
            "wav_name": self._wav_name,
            "text": text,
            "is_final": is_final,
            **fields,
        }
