"""An incremental Server-Sent Events decoder, as the HTML standard specifies it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# only these end a line in an event stream (str.splitlines knows many more)
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event; `id` is the stream's last event id when it was dispatched."""

    event: str
    data: str
    id: str | None


class SSEDecoder:
    """Turns the bytes of an event stream, in chunks of any size, into events.

    The decoder keeps the stream's state between chunks: the last event id (which carries
    over to later events that name none) and the reconnection time a `retry:` field set.
    A chunk may end anywhere, even inside a UTF-8 sequence or between CR and LF.
    """

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._started = False
        # a CR ended the previous chunk: an LF opening the next one belongs to it
        self._after_cr = False
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        # what a reconnecting client sends as Last-Event-ID: set when an event is dispatched
        self.last_event_id: str | None = None
        # reconnection time in milliseconds, once the server has set one
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        text = self._text.decode(chunk)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._after_cr and text:
            text = text.removeprefix("\n")
            self._after_cr = False
        if text:
            self._after_cr = text.endswith("\r")
        buffer = self._pending + text
        events: list[ServerSentEvent] = []
        start = 0
        for end in _LINE_END.finditer(buffer):
            event = self._line(buffer[start : end.start()])
            start = end.end()
            if event is not None:
                events.append(event)
        self._pending = buffer[start:]
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, often a keep-alive
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        self.last_event_id = self._id
        if not data:
            return None
        joined = "\n".join(data)
        return ServerSentEvent(event=event or "message", data=joined, id=self.last_event_id)
