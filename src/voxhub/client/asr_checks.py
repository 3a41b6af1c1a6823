"""The FunASR test client's checks, run against either real-time protocol of a voxhub server.

connect, control messages, audio before start, audio, full workflow, several connections and
invalid messages: each check opens its own connections and yields one pass/fail line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from voxhub.client.asr_stream import FunASRDialect, Message, StreamClient, dialect_for

CONNECTIONS = 5
# seconds of the file used where a short utterance is enough
SHORT_SECONDS = 1.5


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.detail}"


class CheckFailed(Exception):
    pass


@dataclass
class Checks:
    url: str
    pcm: bytes
    language: str = "auto"
    engine: str | None = None
    realtime: bool = True
    # sent in the handshake of every connection the checks open
    api_key: str | None = None
    # the text spoken in the file: finals of the whole file are compared with it
    expected: str | None = None
    # word error rate of a final against `expected` (the SDK ships no scorer of its own)
    error_rate: Callable[[str, str], float] | None = None
    max_error_rate: float = 0.25

    def __post_init__(self) -> None:
        if self.expected is not None and self.error_rate is None:
            raise ValueError("Checks with an expected text need an error_rate to score finals.")

    @property
    def funasr(self) -> bool:
        return isinstance(dialect_for(self.url), FunASRDialect)

    async def run(self, report: Callable[[CheckResult], None]) -> list[CheckResult]:
        checks: list[tuple[str, Callable[[], Awaitable[str]]]] = [
            ("connect", self.connect),
            ("control messages", self.control),
            ("audio before start", self.audio_before_start),
            ("audio", self.audio),
            ("full workflow", self.workflow),
            ("several connections", self.several),
            ("invalid messages", self.invalid),
        ]
        audio_seconds = len(self.pcm) / 32000
        results = []
        for name, check in checks:
            try:
                detail = await asyncio.wait_for(check(), timeout=30 + 3 * audio_seconds)
                result = CheckResult(name, True, detail)
            except (CheckFailed, TimeoutError, ConnectionError, OSError) as exc:
                result = CheckResult(name, False, str(exc) or type(exc).__name__)
            except Exception as exc:  # a check must report, never crash the others
                result = CheckResult(name, False, f"{type(exc).__name__}: {exc}")
            report(result)
            results.append(result)
        return results

    async def _open(self) -> StreamClient:
        client = await StreamClient.open(self.url, api_key=self.api_key)
        if self.funasr:
            greeting = await client.next({"greeting", "error"}, 5)
            _expect(greeting, "greeting", client, "the connection greeting")
        return client

    async def _start(self, client: StreamClient) -> Message:
        await client.send(client.dialect.start(self.language, True, self.engine))
        ready = await client.next({"ready", "error"}, 30)
        return _expect(ready, "ready", client, "the answer to start")

    async def connect(self) -> str:
        async with await self._open() as client:
            await client.send(client.dialect.ping())
            await client.next({"pong"}, 5)
        return "connected, answered a ping"

    async def control(self) -> str:
        async with await self._open() as client:
            ready = await self._start(client)
            await client.send(client.dialect.stop())
            if self.funasr:
                stop = await client.next({"final", "error"}, 10)
                _expect(stop, "final", client, "stop without audio")
            else:
                stop = await client.next({"error"}, 10)
                _code(stop, "no_audio", "stop without audio")
            await client.send(client.dialect.reset())
            _expect(await client.next({"reset", "error"}, 10), "reset", client, "reset")
        return f"start → ready ({ready.get('engine')}), stop, reset answered"

    async def audio_before_start(self) -> str:
        async with await self._open() as client:
            await client.send(client.dialect.audio(self.pcm[:3200]))
            if self.funasr:
                # the FunASR service ignores such audio without an answer
                answer = await client.silence(1.5)
                if answer is not None:
                    raise CheckFailed(f"expected no answer, got {json.dumps(answer)[:200]}")
                return "ignored, as the FunASR service does"
            _code(await client.next({"error"}, 5), "not_started", "audio before start")
            return "refused with not_started"

    async def audio(self) -> str:
        async with await self._open() as client:
            await self._start(client)
            said = await client.utterance(self.pcm, realtime=self.realtime)
            final = _expect(said.final, "final", client, "stop after audio")
            if not str(final.get("text", "")).strip():
                raise CheckFailed(f"the final of {said.audio_seconds:.1f} s of audio is empty")
            score = self._compare(str(final["text"]), "the final")
            return (
                f"{said.audio_seconds:.1f} s of audio: {len(said.partials)} partials, final "
                f"{final['text']!r} {said.latency * 1000:.0f} ms after stop{score}"
            )

    async def workflow(self) -> str:
        async with await self._open() as client:
            await self._start(client)
            finals, scores = [], []
            # the whole file each time, so each final can be held against the expected text
            for n in ("first", "second"):
                said = await client.utterance(self.pcm, realtime=self.realtime)
                text = str(_expect(said.final, "final", client, "stop").get("text", ""))
                scores.append(self._compare(text, f"the {n} utterance's final"))
                finals.append(text)
            await client.send(client.dialect.audio(self.pcm[:6400]))
            await client.send(client.dialect.reset())
            _expect(await client.next({"reset", "error"}, 10), "reset", client, "reset")
            await client.send(client.dialect.ping())
            await client.next({"pong"}, 5)
        return (
            f"two utterances on one connection ({finals[0]!r}{scores[0]}, "
            f"{finals[1]!r}{scores[1]}), reset, ping"
        )

    async def several(self) -> str:
        short = self.pcm[: int(SHORT_SECONDS * 32000)]

        async def one() -> str:
            async with await self._open() as client:
                await self._start(client)
                said = await client.utterance(short, realtime=self.realtime)
                return str(_expect(said.final, "final", client, "stop").get("text", ""))

        texts = await asyncio.gather(*(one() for _ in range(CONNECTIONS)))
        return f"{CONNECTIONS} concurrent connections, each got a final ({texts[0]!r})"

    async def invalid(self) -> str:
        async with await self._open() as client:
            await client.send("{not json")
            _code(await client.next({"error"}, 5), "invalid_message", "invalid JSON")
            await client.send(json.dumps({"type": "invalid_type"}))
            _code(await client.next({"error"}, 5), "unknown_message_type", "unknown type")
            if self.funasr:
                command = {"type": "control", "command": "invalid_command"}
                await client.send(json.dumps(command))
                _code(await client.next({"error"}, 5), "unknown_message_type", "unknown command")
            else:
                bad_rate = {"type": "start", "sample_rate": 1000, "format": "pcm16"}
                await client.send(json.dumps(bad_rate))
                _code(await client.next({"error"}, 5), "unsupported_sample_rate", "bad rate")
                await client.send(json.dumps({"type": "start", "format": "opus"}))
                _code(await client.next({"error"}, 5), "unsupported_format", "bad format")
                await self._start(client)
                await client.send(b"\x00\x01\x02")
                _code(await client.next({"error"}, 5), "invalid_audio", "odd-length PCM")
            await client.send(client.dialect.ping())
            await client.next({"pong"}, 5)
        return "each answered with an error frame; the connection stayed usable"

    def _compare(self, text: str, what: str) -> str:
        """How far a final of the whole file strays from the expected text, as a note to show;
        past the bar the check fails with both texts."""
        if self.expected is None or self.error_rate is None:
            return " (not compared: no expected text)"
        rate = self.error_rate(self.expected, text)
        if rate > self.max_error_rate:
            raise CheckFailed(
                f"{what} is not what the file says: word error rate {rate:.0%} "
                f"(at most {self.max_error_rate:.0%}); expected {self.expected!r}, got {text!r}"
            )
        return f" (word error rate {rate:.0%})"


def _expect(message: Message, kind: str, client: StreamClient, what: str) -> Message:
    got = client.dialect.kind(message)
    if got != kind:
        raise CheckFailed(f"{what}: expected {kind}, got {json.dumps(message)[:200]}")
    return message


def _code(message: Message, code: str, what: str) -> None:
    # the FunASR shapes carry voxhub's code as "error" (their "code" is a number)
    got = message.get("error") if isinstance(message.get("code"), int) else message.get("code")
    if message.get("type") != "error" or got != code:
        raise CheckFailed(f"{what}: expected error {code}, got {json.dumps(message)[:200]}")
