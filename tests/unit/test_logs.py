"""Logging set-up, JSON and text formats, and request ids through the ASGI middleware."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from voxhub.logs import (
    FILE_HANDLER,
    LIBRARY_LOGGERS,
    QUIET_LIBRARIES,
    STDERR_HANDLER,
    JsonFormatter,
    LogOptions,
    RequestIdFilter,
    RequestIdMiddleware,
    TextFormatter,
    configure_logging,
    request_id_var,
)

ROUTE_LOGGER = "tests.logs.route"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo configure_logging so later tests see the logging state they started with."""
    root = logging.getLogger()
    root_level = root.level
    loggers = {name: logging.getLogger(name) for name in (*LIBRARY_LOGGERS, *QUIET_LIBRARIES)}
    saved = {name: (list(lg.handlers), lg.level, lg.propagate) for name, lg in loggers.items()}
    yield
    # only the handlers configure_logging added: pytest's own capture handlers come and go
    for handler in list(root.handlers):
        if handler.get_name() in (STDERR_HANDLER, FILE_HANDLER):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(root_level)
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def _our_handlers(name: str) -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == name]


def _capture(formatter: logging.Formatter, name: str) -> tuple[logging.Logger, io.StringIO]:
    """A private logger writing through `formatter` (with the request-id filter) to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(f"tests.logs.{name}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, buffer


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- JSON format ---------------------------------------------------------------------------


def test_json_line_has_the_fields_and_the_request_id() -> None:
    logger, buffer = _capture(JsonFormatter(), "json_fields")
    token = request_id_var.set("req-1")
    try:
        logger.warning("hello %s", "world")
    finally:
        request_id_var.reset(token)

    [line] = _json_lines(buffer.getvalue())
    assert line["level"] == "WARNING"
    assert line["logger"] == "tests.logs.json_fields"
    assert line["message"] == "hello world"
    assert line["request_id"] == "req-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])
    assert "exc" not in line


def test_json_timestamp_is_utc_with_milliseconds() -> None:
    created = datetime(2026, 11, 23, 12, 0, 0, 123000, tzinfo=UTC).timestamp()
    record = logging.makeLogRecord({"msg": "x", "created": created})
    assert json.loads(JsonFormatter().format(record))["ts"] == "2026-11-23T12:00:00.123Z"


def test_json_line_without_request_id_omits_it() -> None:
    logger, buffer = _capture(JsonFormatter(), "json_no_id")
    logger.info("outside a request")
    [line] = _json_lines(buffer.getvalue())
    assert "request_id" not in line
    assert line["message"] == "outside a request"


def test_json_exception_goes_to_exc() -> None:
    logger, buffer = _capture(JsonFormatter(), "json_exc")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed")

    [line] = _json_lines(buffer.getvalue())
    assert line["level"] == "ERROR"
    assert line["message"] == "it failed"
    assert line["exc"].startswith("Traceback (most recent call last):")
    assert line["exc"].endswith("ValueError: boom")


def test_json_extras_are_kept_and_made_serializable() -> None:
    logger, buffer = _capture(JsonFormatter(), "json_extra")
    logger.info(
        "job done",
        extra={
            "job_id": "j-42",
            "chars": 1200,
            "voices": ["af_heart", "zf_xiaobei"],
            "path": Path("/data/tts/a.wav"),
            "ratio": float("nan"),
            "level": "not the real level",
            "color_message": "\x1b[36mjob done\x1b[0m",
        },
    )
    [line] = _json_lines(buffer.getvalue())
    assert line["job_id"] == "j-42"
    assert line["chars"] == 1200
    assert line["voices"] == ["af_heart", "zf_xiaobei"]
    assert line["path"] == "/data/tts/a.wav"
    assert line["ratio"] == "nan"
    # an extra cannot overwrite a fixed field
    assert line["level"] == "INFO"
    # LogRecord's own attributes are not dumped as extras
    assert "pathname" not in line
    assert "args" not in line
    assert "color_message" not in line


def test_explicit_request_id_extra_wins_over_context() -> None:
    logger, buffer = _capture(JsonFormatter(), "json_explicit_id")
    token = request_id_var.set("from-context")
    try:
        logger.info("for a job", extra={"request_id": "from-caller"})
    finally:
        request_id_var.reset(token)
    assert _json_lines(buffer.getvalue())[0]["request_id"] == "from-caller"


# --- text format ---------------------------------------------------------------------------


def test_text_line_shows_the_request_id() -> None:
    logger, buffer = _capture(TextFormatter(), "text_id")
    token = request_id_var.set("abc123")
    try:
        logger.info("hello")
    finally:
        request_id_var.reset(token)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO tests\.logs\.text_id \[abc123\] hello\n",
        buffer.getvalue(),
    )


def test_text_line_shows_a_dash_without_request_id() -> None:
    logger, buffer = _capture(TextFormatter(), "text_no_id")
    logger.error("no request here")
    assert buffer.getvalue().endswith(" ERROR tests.logs.text_no_id [-] no request here\n")


def test_text_formatter_copes_with_records_that_skipped_the_filter() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "bare"})
    assert TextFormatter().format(record).endswith(" INFO x [-] bare")
    assert not hasattr(record, "request_id")


# --- configure_logging ---------------------------------------------------------------------


def test_configure_twice_installs_one_stream_handler(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogOptions())
    configure_logging(LogOptions(level="debug"))

    assert len(_our_handlers(STDERR_HANDLER)) == 1
    assert _our_handlers(FILE_HANDLER) == []
    assert logging.getLogger().level == logging.DEBUG

    logging.getLogger("voxhub.test").debug("once")
    err = capsys.readouterr().err
    assert err.count("once") == 1
    assert " DEBUG voxhub.test [-] once" in err


def test_configure_json_writes_json_lines_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogOptions(json=True))
    token = request_id_var.set("r-9")
    try:
        logging.getLogger("voxhub.test").info("as json", extra={"job_id": "j1"})
    finally:
        request_id_var.reset(token)
    [line] = [
        entry for entry in _json_lines(capsys.readouterr().err) if entry["message"] == "as json"
    ]
    assert line["request_id"] == "r-9"
    assert line["job_id"] == "j1"
    assert line["logger"] == "voxhub.test"


def test_configure_level_filters_records(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogOptions(level="Warning"))
    assert logging.getLogger().level == logging.WARNING
    logging.getLogger("voxhub.test").info("hidden")
    logging.getLogger("voxhub.test").warning("shown")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "shown" in err


def test_library_loggers_propagate_without_their_own_handlers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler(io.StringIO()))
    access.propagate = False
    access.setLevel(logging.ERROR)

    configure_logging(LogOptions())

    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        assert logger.handlers == []
        assert logger.propagate is True
        assert logger.level == logging.NOTSET
    token = request_id_var.set("acc-1")
    try:
        access.info('127.0.0.1 - "GET /health HTTP/1.1" 200')
    finally:
        request_id_var.reset(token)
    err = capsys.readouterr().err
    assert err.count("GET /health") == 1
    assert ' INFO uvicorn.access [acc-1] 127.0.0.1 - "GET /health HTTP/1.1" 200' in err


def test_invalid_level_raises_and_changes_nothing() -> None:
    before = list(logging.getLogger().handlers)
    with pytest.raises(ValueError, match="DEBUG, INFO, WARNING, ERROR, CRITICAL") as info:
        configure_logging(LogOptions(level="verbose"))
    assert "'verbose'" in str(info.value)
    assert logging.getLogger().handlers == before


def test_file_receives_lines_and_rotates(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "nested" / "voxhub.log"  # parent does not exist yet
    options = LogOptions(json=True, file=log_file, max_bytes=300, backups=2)
    configure_logging(options)
    configure_logging(options)
    assert len(_our_handlers(FILE_HANDLER)) == 1
    assert len(_our_handlers(STDERR_HANDLER)) == 1

    logger = logging.getLogger("voxhub.test")
    for i in range(20):
        logger.warning("line number %d with some padding to fill the file", i)

    backup = log_file.with_name("voxhub.log.1")
    assert log_file.exists()
    assert backup.exists()
    assert not log_file.with_name("voxhub.log.3").exists()  # backups=2 keeps two
    for path in (log_file, backup):
        assert path.stat().st_size <= 300
        for line in _json_lines(path.read_text(encoding="utf-8")):
            assert line["logger"] == "voxhub.test"
    # the newest line is in the live file
    last = _json_lines(log_file.read_text(encoding="utf-8"))[-1]
    assert last["message"] == "line number 19 with some padding to fill the file"


# --- middleware ----------------------------------------------------------------------------


def _make_app(barrier: asyncio.Event | None = None, arrivals: list[str] | None = None) -> Starlette:
    route_log = logging.getLogger(ROUTE_LOGGER)

    async def whoami(request: Request) -> PlainTextResponse:
        route_log.info("handling %s", request.url.path)
        if barrier is not None and arrivals is not None:
            # wait until the other request is inside a handler too: the two truly overlap
            arrivals.append(request_id_var.get() or "")
            if len(arrivals) == 2:
                barrier.set()
            await barrier.wait()
        return PlainTextResponse(request_id_var.get() or "")

    async def own_header(request: Request) -> Response:
        return PlainTextResponse("x", headers={"X-Request-ID": "set-by-app"})

    return Starlette(routes=[Route("/who", whoami), Route("/own", own_header)])


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """Records of the route's logger, after the request-id filter ran on them."""

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(ROUTE_LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


async def test_response_carries_a_generated_id_equal_to_the_context(
    records: list[logging.LogRecord],
) -> None:
    async with _client(RequestIdMiddleware(_make_app())) as client:
        response = await client.get("/who")

    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert HEX_ID.fullmatch(request_id)
    assert response.text == request_id
    [record] = records
    assert record.getMessage() == "handling /who"
    assert record.__dict__["request_id"] == request_id
    # reset after the request: the client's task is where ASGITransport ran the app
    assert request_id_var.get() is None


@pytest.mark.parametrize("supplied", ["abc-123", "proxy.id_7", "a", "x" * 128])
async def test_safe_incoming_id_is_echoed(supplied: str, records: list[logging.LogRecord]) -> None:
    async with _client(RequestIdMiddleware(_make_app())) as client:
        response = await client.get("/who", headers={"X-Request-ID": supplied})
    assert response.headers["x-request-id"] == supplied
    assert response.text == supplied
    assert records[0].__dict__["request_id"] == supplied


@pytest.mark.parametrize(
    "supplied", ["has spaces", "x" * 129, "y" * 200, "", "a/b", "<script>", "id;drop"]
)
async def test_unsafe_incoming_id_is_replaced(supplied: str) -> None:
    async with _client(RequestIdMiddleware(_make_app())) as client:
        response = await client.get("/who", headers={"X-Request-ID": supplied})
    request_id = response.headers["x-request-id"]
    assert request_id != supplied
    assert HEX_ID.fullmatch(request_id)
    assert response.text == request_id


async def test_concurrent_requests_get_their_own_ids(records: list[logging.LogRecord]) -> None:
    barrier = asyncio.Event()
    arrivals: list[str] = []
    app = RequestIdMiddleware(_make_app(barrier, arrivals))
    async with _client(app) as client:
        first, second = await asyncio.wait_for(
            asyncio.gather(client.get("/who"), client.get("/who")), timeout=5
        )

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert ids[0] != ids[1]
    assert [first.text, second.text] == ids
    assert sorted(arrivals) == sorted(ids)
    assert sorted(r.__dict__["request_id"] for r in records) == sorted(ids)


async def test_request_id_reaches_configured_json_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(LogOptions(json=True))
    async with _client(RequestIdMiddleware(_make_app())) as client:
        response = await client.get("/who", headers={"X-Request-ID": "trace-me"})
    lines = [e for e in _json_lines(capsys.readouterr().err) if e["logger"] == ROUTE_LOGGER]
    assert response.headers["x-request-id"] == "trace-me"
    assert [(e["message"], e["request_id"]) for e in lines] == [("handling /who", "trace-me")]


async def test_header_set_by_the_app_is_replaced_not_duplicated() -> None:
    async with _client(RequestIdMiddleware(_make_app())) as client:
        response = await client.get("/own", headers={"X-Request-ID": "mine"})
    assert response.headers.get_list("x-request-id") == ["mine"]


async def test_custom_header_name() -> None:
    app = RequestIdMiddleware(_make_app(), header="X-Correlation-ID")
    async with _client(app) as client:
        response = await client.get("/who", headers={"X-Correlation-ID": "corr-1"})
    assert response.headers["x-correlation-id"] == "corr-1"
    assert response.text == "corr-1"
    assert "x-request-id" not in response.headers


@pytest.mark.parametrize("headers", [[(b"x-request-id", b"ws-1")], []])
async def test_websocket_gets_a_request_id_in_context(headers: list[tuple[bytes, bytes]]) -> None:
    seen: list[str | None] = []
    sent: list[Message] = []
    accept: Message = {"type": "websocket.accept", "headers": [(b"x-other", b"1")]}

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(request_id_var.get())
        await send(accept)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": headers}
    await RequestIdMiddleware(inner)(scope, receive, send)

    [request_id] = seen
    assert request_id is not None
    if headers:
        assert request_id == "ws-1"
    else:
        assert HEX_ID.fullmatch(request_id)
    assert sent == [accept]  # websocket messages are left as they are
    assert request_id_var.get() is None


async def test_other_scopes_pass_through_without_an_id() -> None:
    seen: list[tuple[str, str | None]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["type"], request_id_var.get()))

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        return None

    await RequestIdMiddleware(inner)({"type": "lifespan"}, receive, send)
    assert seen == [("lifespan", None)]


async def test_context_is_reset_when_the_app_raises() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        assert request_id_var.get() == "will-fail"
        raise RuntimeError("app crashed")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    scope = {"type": "http", "headers": [(b"x-request-id", b"will-fail")]}
    with pytest.raises(RuntimeError, match="app crashed"):
        await RequestIdMiddleware(failing)(scope, receive, send)
    assert request_id_var.get() is None


# --- credentials ---------------------------------------------------------------------------


def test_keys_and_tokens_are_masked_in_the_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "voxhub.log"
    configure_logging(LogOptions(level="INFO", file=log_file))
    key = "vxk_abcdefghijkl_" + "K" * 43
    token = "vxt_eyJrIjoiYWJjIn0.c2lnbmF0dXJl"
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/1.1" %d', "127.0.0.1", "GET", f"/v1/events?token={token}", 200)
    logging.getLogger("voxhub").warning("refused %s from header", key)
    logging.getLogger("voxhub").info("GET /v1/x?api_key=%s&job_id=j1", "plain-secret")
    for handler in _our_handlers(FILE_HANDLER):
        handler.flush()
    written = log_file.read_text(encoding="utf-8")
    assert "GET /v1/events?token=*** HTTP/1.1" in written
    assert "refused vxk_*** from header" in written
    assert "api_key=***&job_id=j1" in written
    for secret in (key, token, "plain-secret", "K" * 43):
        assert secret not in written


@pytest.mark.parametrize("name", ["alembic.runtime.migration", "httpx", "celery.app.trace"])
def test_library_chatter_is_quiet_at_info_and_heard_at_debug(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LogOptions(level="info"))
    logging.getLogger(name).info("set-up detail")
    logging.getLogger(name).warning("something to act on")
    logging.getLogger("voxhub.test").info("voxhub's own")
    err = capsys.readouterr().err
    assert "set-up detail" not in err
    assert "something to act on" in err and "voxhub's own" in err

    configure_logging(LogOptions(level="debug"))
    logging.getLogger(name).info("set-up detail")
    assert "set-up detail" in capsys.readouterr().err


def test_library_warnings_stay_quiet_at_error(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogOptions(level="error"))
    logging.getLogger("httpx").warning("below the level")
    assert "below the level" not in capsys.readouterr().err
