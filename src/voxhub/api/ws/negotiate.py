"""Several dialects on one WebSocket route: the first text frame says which one a client speaks."""

from __future__ import annotations

from typing import Protocol

from voxhub.api.ws.connection import Command, Dialect, Frame
from voxhub.engines.asr.base import Transcript
from voxhub.errors import VoxhubError
from voxhub.services.recognition.session import StreamInfo


class RecognizableDialect(Dialect, Protocol):
    def recognizes(self, text: str) -> bool:
        """Whether a client's first text frame is one of this dialect's (never raises)."""
        ...


class FirstMessageDialect:
    """Answers in `default` until a client's first text frame picks a dialect.

    The first text frame one of `others` recognizes switches the connection to that dialect
    for good; any other first text frame keeps `default`. Binary frames decide nothing (they
    are audio in every dialect), and what is said before the first text frame (the greeting,
    a refusal over the connection limit, an idle timeout) is said in `default`.
    """

    def __init__(self, default: Dialect, *others: RecognizableDialect) -> None:
        self._current = default
        self._others = others
        self._decided = False

    @property
    def current(self) -> Dialect:
        return self._current

    def parse(self, text: str | None, data: bytes | None) -> Command | None:
        if text is not None and not self._decided:
            self._decided = True
            self._current = next((d for d in self._others if d.recognizes(text)), self._current)
        return self._current.parse(text, data)

    def greeting(self, connection_id: str) -> Frame | None:
        return self._current.greeting(connection_id)

    def ready(self, info: StreamInfo) -> Frame | None:
        return self._current.ready(info)

    def partial(self, text: str) -> Frame | None:
        return self._current.partial(text)

    def final(self, transcript: Transcript, requested: bool) -> Frame:
        return self._current.final(transcript, requested)

    def reset(self, info: StreamInfo) -> Frame | None:
        return self._current.reset(info)

    def pong(self) -> Frame | None:
        return self._current.pong()

    def error(self, error: VoxhubError, command: Command | None) -> Frame | None:
        return self._current.error(error, command)
