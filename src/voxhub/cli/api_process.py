"""What each API process serves: the app, with 503 for requests the shutdown cuts short."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from types import FrameType
from typing import Any

from voxhub.cli.forwarded import ForwardedHeaders
from voxhub.logs import configure_logging
from voxhub.settings import Settings, log_options
from voxhub.tasks.stop_signals import StopEvents

log = logging.getLogger("voxhub")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_GONE = json.dumps(
    {
        "error": {
            "code": "shutting_down",
            "message": "The server is shutting down and could not finish this request in "
            "time; retry it.",
        }
    }
).encode()


class ShutdownGate:
    """The outermost layer of the app. When the graceful shutdown runs out, uvicorn cancels
    the requests still running and would answer 500; they get 503 (with Retry-After)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            if started:
                raise  # too late for a status: the connection is closed
            log.warning("%s %s cut short by the shutdown: 503", scope["method"], scope["path"])
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_GONE)).encode()),
                (b"retry-after", b"5"),
                (b"connection", b"close"),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": _GONE})


def app_from_environment() -> ForwardedHeaders:
    """The entry point of each API process under `voxhub serve --workers N`: settings are
    read here, once per process, as `voxhub serve` reads them."""
    from voxhub.api.app import create_app

    settings = Settings()
    configure_logging(log_options(settings))
    exit_by_deadline(settings.shutdown_timeout)
    return ForwardedHeaders(ShutdownGate(create_app(settings)), settings.server.forwarded_allow_ips)


def exit_by_deadline(timeout: float) -> None:
    """In an API process of `--workers N`: its first SIGTERM or SIGINT also starts a deadline
    past which it exits at once, as a request stuck in a thread would hold its exit.

    uvicorn loads the app with its own handlers in place: they are wrapped, not replaced,
    and uvicorn puts the previous ones back when it has shut down. Signals are not counted
    here: the group's SIGTERM and the supervisor's are one stop, which uvicorn drains.
    """
    events = StopEvents()

    def expire(reason: str) -> None:
        log.error("API process stopped at once: %s", reason)
        os._exit(1)

    threading.Thread(
        target=events.run, args=(timeout, lambda: None, expire), name="api-stop", daemon=True
    ).start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            events.send(StopEvents.REQUEST)
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)
