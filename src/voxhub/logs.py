"""Process logging set-up (text or JSON lines, optional rotating file) and request-id plumbing."""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import sys
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "TEXT_FORMAT",
    "JsonFormatter",
    "LogOptions",
    "RequestIdFilter",
    "RequestIdMiddleware",
    "TextFormatter",
    "configure_logging",
    "new_request_id",
    "request_id_var",
]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# loggers that libraries configure on their own; they must reach our root handlers instead
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery")
# libraries whose INFO lines say nothing an operator acts on (alembic's set-up, each HTTP call
# of a CLI command, each Celery task received and done: voxhub logs jobs itself); they log
# warnings and errors unless the level is DEBUG
QUIET_LIBRARIES = (
    "alembic",
    "httpx",
    "httpcore",
    "kombu",
    "celery.app.trace",
    "celery.worker.strategy",
    "botocore",
    "urllib3",
)
# voxhub API keys and tokens (the prefix is kept, so a line still says which kind it was), and
# the values of the query parameters that may carry them
_SECRET = re.compile(r"(\bvx[kt]_|[?&](?:api_key|token)=)[A-Za-z0-9_.~%-]+")
# names of the handlers configure_logging installs, so a second call can find and replace
# them without touching handlers others added (pytest's capture, an embedding application)
STDERR_HANDLER = "voxhub.stderr"
FILE_HANDLER = "voxhub.file"

# the id of the request being served, None outside a request; set by RequestIdMiddleware
request_id_var: ContextVar[str | None] = ContextVar("voxhub_request_id", default=None)

# an id taken from a client is echoed in headers and written to logs: keep it short and inert
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# attributes every LogRecord has; anything else on a record came from the caller's extra=
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    # uvicorn repeats its message with ANSI colour codes as an extra: noise in JSON
    "color_message",
}


@dataclass(frozen=True)
class LogOptions:
    """How the process logs; built by the entry point from settings."""

    level: str = "INFO"
    json: bool = False
    file: Path | None = None
    max_bytes: int = 10_000_000
    backups: int = 5


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or None) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        # an id the caller passed explicitly (extra={"request_id": ...}) wins over the context
        if getattr(record, "request_id", None) is None:
            record.__dict__["request_id"] = request_id_var.get()
        return True


class SecretFilter(logging.Filter):
    """Masks API keys and tokens wherever a record carries them (an access log line with a
    `?token=` URL, an exception quoting a header), so no log holds a usable credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET.sub(_mask, message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _mask(match: re.Match[str]) -> str:
    return f"{match.group(1)}***"


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT lines; "-" stands for a missing request id."""

    def __init__(self, fmt: str = TEXT_FORMAT, datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt)
        self._template = fmt

    def formatMessage(self, record: logging.LogRecord) -> str:
        # a copy, not the record: other handlers' formatters see the same record object
        values = dict(vars(record))
        values["request_id"] = getattr(record, "request_id", None) or "-"
        return self._template % values


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, exc and extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": _utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            payload["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            # cached on the record as logging.Formatter does, so other handlers reuse it
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            # the fixed fields above win over an extra of the same name
            if key not in _RECORD_ATTRS and key not in payload:
                payload[key] = _jsonable(value)
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)


def _utc_timestamp(created: float) -> str:
    stamp = datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    try:
        # allow_nan=False: NaN and Infinity are not JSON, a log shipper would reject the line
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return str(value)
    return value


def _parse_level(level: str) -> int:
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"invalid log level {level!r}; valid levels: {', '.join(LEVELS)}")
    return logging.getLevelNamesMapping()[name]


def standard_filters() -> list[logging.Filter]:
    """What every handler voxhub installs applies to each record."""
    return [RequestIdFilter(), SecretFilter()]


def configure_logging(options: LogOptions) -> None:
    """Route every log record of the process to stderr (and a rotating file, if set).

    Safe to call again: the handlers of the previous call are closed and replaced.
    """
    level = _parse_level(options.level)  # before any change, so a bad level changes nothing
    formatter: logging.Formatter = JsonFormatter() if options.json else TextFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].set_name(STDERR_HANDLER)
    if options.file is not None:
        options.file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            options.file,
            maxBytes=options.max_bytes,
            backupCount=options.backups,
            encoding="utf-8",
        )
        file_handler.set_name(FILE_HANDLER)
        handlers.append(file_handler)

    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() in (STDERR_HANDLER, FILE_HANDLER):
            root.removeHandler(old)
            old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        # on the handlers, not the loggers: logger filters skip records propagated from children
        for log_filter in standard_filters():
            handler.addFilter(log_filter)
        root.addHandler(handler)
    root.setLevel(level)

    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
        # inherit the root level, so one setting governs all of them
        logger.setLevel(logging.NOTSET)
    quiet = logging.NOTSET if level <= logging.DEBUG else max(level, logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)


class RequestIdMiddleware:
    """Pure ASGI middleware: one request id per HTTP request or websocket, in the context
    (so every log line carries it) and in the HTTP response header."""

    def __init__(self, app: ASGIApp, header: str = "X-Request-ID") -> None:
        self.app = app
        # ASGI header names are lowercase bytes
        self.header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = self._incoming(scope) or new_request_id()
        token = request_id_var.set(request_id)
        try:
            if scope["type"] == "http":
                await self.app(scope, receive, self._sender(send, request_id))
            else:
                await self.app(scope, receive, send)
        finally:
            request_id_var.reset(token)

    def _incoming(self, scope: Scope) -> str | None:
        """The client's id when it is safe to reuse (e.g. from a proxy), else None."""
        for name, value in scope.get("headers", ()):
            if name.lower() == self.header:
                candidate = value.decode("latin-1")
                return candidate if _SAFE_ID.fullmatch(candidate) else None
        return None

    def _sender(self, send: Send, request_id: str) -> Send:
        header_value = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != self.header
                ]
                headers.append((self.header, header_value))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_id
