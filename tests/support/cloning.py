"""For cloning backend tests: its template site, and an event-stream reader over httpx."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from voxhub.client.sse import ServerSentEvent, SSEDecoder

# a loopback address of its own: the server under test reaches it only when it is allowed
SITE_HOST = "127.0.0.5"


@dataclass
class TemplateSite:
    """`/templates/{id}/source_audio.mp3` and `source_transcript.txt`, as the cloning
    backend's template site serves them; every other path is a 404. Records what it served."""

    templates: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    url: str = ""
    requested: list[str] = field(default_factory=list)

    @contextmanager
    def running(self) -> Iterator[TemplateSite]:
        site = self

        class Files(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requested.append(self.path)
                body, media = site.file(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((SITE_HOST, 0), Files)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://{SITE_HOST}:{server.server_address[1]}/templates"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def file(self, path: str) -> tuple[bytes | None, str]:
        _, _, rest = path.partition("/templates/")
        template_id, _, name = rest.partition("/")
        if template_id not in self.templates:
            return None, "text/plain"
        audio, transcript = self.templates[template_id]
        if name == "source_audio.mp3":
            return audio, "audio/mpeg"
        if name == "source_transcript.txt":
            return transcript.encode(), "text/plain; charset=utf-8"
        return None, "text/plain"


@dataclass(frozen=True)
class Event:
    name: str
    id: str | None
    data: dict[str, Any]


class EventReader:
    """Reads an open event stream with the SDK's SSE decoder, one event at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.iter_bytes()
        self._decoder = SSEDecoder()
        self._ready: list[ServerSentEvent] = []
        self.seen: list[Event] = []

    def next(self) -> Event:
        while not self._ready:
            self._ready.extend(self._decoder.feed(next(self._chunks)))
        raw = self._ready.pop(0)
        event = Event(raw.event, raw.id, json.loads(raw.data))
        self.seen.append(event)
        return event

    def until(self, done: Callable[[Event], bool], timeout: float = 60) -> list[Event]:
        """Events up to and including the first for which `done` holds."""
        deadline = time.monotonic() + timeout
        read: list[Event] = []
        while time.monotonic() < deadline:
            read.append(self.next())
            if done(read[-1]):
                return read
        raise AssertionError(f"no such event within {timeout} s; read {read}")


@contextmanager
def events(
    client: httpx.Client, path: str, last_event_id: str | None = None
) -> Iterator[EventReader]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    with client.stream("GET", path, headers=headers, timeout=30) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventReader(response)


def update_of(task_id: str, status: str) -> Callable[[Event], bool]:
    """Whether an event is the task's `task_update` with this status."""

    def matches(event: Event) -> bool:
        return (
            event.name == "task_update"
            and event.data.get("taskId") == task_id
            and event.data.get("status") == status
        )

    return matches
