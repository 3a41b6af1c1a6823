"""A client of FunASR's runtime WebSocket protocol, written from its document alone."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

ONLINE = ("online", "2pass-online")
OFFLINE = ("offline", "2pass-offline")


@dataclass
class Result:
    """One message from the server and when it came (seconds after the first audio)."""

    at: float
    message: dict[str, Any]

    @property
    def mode(self) -> str:
        return str(self.message.get("mode", ""))

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def is_final(self) -> bool:
        return bool(self.message.get("is_final", False))


@dataclass
class Recognition:
    """What came back for one wav: every message, up to and with the one that is final."""

    audio_seconds: float
    results: list[Result] = field(default_factory=list)
    # messages without a mode, which FunASR's clients pass over
    others: list[dict[str, Any]] = field(default_factory=list)

    @property
    def final(self) -> Result:
        return self.results[-1]

    def online(self) -> list[Result]:
        return [r for r in self.results if r.mode in ONLINE]

    def offline(self) -> list[Result]:
        return [r for r in self.results if r.mode in OFFLINE]

    @property
    def online_text(self) -> str:
        """The online pieces appended, as FunASR's clients show them."""
        return "".join(r.text for r in self.online())

    @property
    def offline_text(self) -> str:
        return "".join(r.text for r in self.offline())


class RuntimeClient:
    """runtime/docs/websocket_protocol.md: a first JSON message (mode, wav_name, wav_format,
    is_speaking, chunk_size, chunk_interval, hotwords, itn, audio_fs), PCM16 in binary
    frames, {"is_speaking": false} at the end; results {"mode", "wav_name", "text",
    "is_final", "timestamp", "stamp_sents"}. Online results ("online", "2pass-online") are
    pieces to append, as FunASR's own clients do; "offline" and "2pass-offline" results are
    whole sentences."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket

    @classmethod
    async def open(cls, url: str, binary_subprotocol: bool = True) -> RuntimeClient:
        """FunASR's clients ask for the "binary" subprotocol; `binary_subprotocol=False`
        connects as a client written from the protocol document alone would."""
        subprotocols: Any = ["binary"] if binary_subprotocol else None
        return cls(await connect(url, subprotocols=subprotocols, max_size=None))

    async def __aenter__(self) -> RuntimeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.websocket.close()

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(message, ensure_ascii=False))

    async def receive(self, within: float = 10.0) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.websocket.recv(), within))
        assert isinstance(message, dict), message
        return message

    async def recognize(
        self,
        pcm: bytes,
        mode: str = "2pass",
        wav_name: str = "demo",
        audio_fs: int = 16_000,
        chunk_size: Sequence[int] = (5, 10, 5),
        chunk_interval: int = 10,
        hotwords: str = "",
        realtime: bool = True,
        final_within: float = 300.0,
    ) -> Recognition:
        """Send one wav as FunASR's clients do: the first message, chunks of
        60 ms × chunk_size[1] / chunk_interval in real time, then the end flag; collect the
        results until the one that is final."""
        await self.send_json(
            {
                "mode": mode,
                "chunk_size": list(chunk_size),
                "chunk_interval": chunk_interval,
                "wav_name": wav_name,
                "wav_format": "pcm",
                "audio_fs": audio_fs,
                "is_speaking": True,
                "hotwords": hotwords,
                "itn": True,
            }
        )
        chunk_seconds = 60 * chunk_size[1] / chunk_interval / 1000
        stride = 2 * round(chunk_seconds * audio_fs)
        recognition = Recognition(audio_seconds=len(pcm) / 2 / audio_fs)
        started = time.monotonic()
        receiving = asyncio.create_task(self._collect(recognition, started, final_within))
        for number, offset in enumerate(range(0, len(pcm), stride)):
            if receiving.done():
                break  # a final (a refusal) came before the end of the audio
            await self.websocket.send(pcm[offset : offset + stride])
            if realtime:
                # keep to the clock: the next chunk leaves when its audio would have been said
                due = started + (number + 1) * chunk_seconds
                await asyncio.sleep(max(0.0, due - time.monotonic()))
        if not receiving.done():
            await self.send_json({"is_speaking": False})
        await receiving
        return recognition

    async def _collect(self, recognition: Recognition, started: float, within: float) -> None:
        while True:
            message = await self.receive(within)
            if "mode" not in message:
                recognition.others.append(message)
                continue
            recognition.results.append(Result(time.monotonic() - started, message))
            if message.get("is_final"):
                return
