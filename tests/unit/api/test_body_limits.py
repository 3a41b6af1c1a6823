"""Body limits per path from settings; 413 before a declared body is read, or at the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from voxhub.api.body_limits import BodyLimit, BodyLimitMiddleware, BodyLimits, body_limits
from voxhub.api.errors import detail_shape, install_error_handlers, shaped_routes
from voxhub.settings import ASRSettings, ServerSettings, Settings, VoiceSettings

LIMIT = 1000
CHUNK = 100
LIMITS = BodyLimits(BodyLimit(LIMIT, "VOXHUB_SERVER__MAX_JSON_BYTES"))


def test_upload_routes_take_their_file_limit_plus_the_json_limit() -> None:
    settings = Settings(
        server=ServerSettings(max_json_bytes=2048),
        asr=ASRSettings(max_upload_bytes=10_000),
        voices=VoiceSettings(max_reference_bytes=5_000),
    )
    limits = body_limits(settings)
    assert limits.of("/v1/tts").bytes == 2048
    assert limits.of("/v1/voices/abc").bytes == 2048
    for path in ("/v1/asr/transcriptions", "/v1/audio/transcriptions"):
        assert limits.of(path).bytes == 12_048
        assert "VOXHUB_ASR__MAX_UPLOAD_BYTES" in limits.of(path).source
    for path in ("/v1/voices", "/v1/voices/", "/api/v1/tts"):
        assert limits.of(path).bytes == 7_048
    assert "VOXHUB_SERVER__MAX_JSON_BYTES" in limits.of("/api/v1/tts").source


class _Counter:
    """A request body that counts what the server took of it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.size:
            self.taken += CHUNK
            yield b"x" * CHUNK


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    plain = APIRouter()
    shaped = APIRouter(route_class=shaped_routes(detail_shape))

    @plain.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @shaped.post("/compat/echo")
    async def compat_echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @plain.post("/action")
    async def action() -> dict[str, bool]:
        return {"done": True}

    app.include_router(plain)
    app.include_router(shaped)
    app.add_middleware(BodyLimitMiddleware, limits=LIMITS)
    return app


async def _post(path: str, body: _Counter, declared: int | None = None) -> httpx.Response:
    headers = {"content-length": str(declared)} if declared is not None else {}
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path, content=body, headers=headers)


async def test_a_body_within_the_limit_reaches_the_route() -> None:
    body = _Counter(LIMIT)
    response = await _post("/echo", body, declared=LIMIT)
    assert response.status_code == 200 and response.json() == {"bytes": LIMIT}


async def test_a_declared_body_over_the_limit_is_refused_unread() -> None:
    body = _Counter(50_000_000)
    response = await _post("/echo", body, declared=50_000_000)
    assert response.status_code == 413 and body.taken == 0
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    for named in ("50,000,000", "1,000-byte", "POST /echo", "VOXHUB_SERVER__MAX_JSON_BYTES"):
        assert named in error["message"]


async def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    body = _Counter(50_000_000)
    response = await _post("/echo", body)
    assert response.status_code == 413, response.text
    assert LIMIT < body.taken <= LIMIT + 2 * CHUNK
    assert "1,000-byte limit" in response.json()["error"]["message"]


@pytest.mark.parametrize("declared", [True, False])
async def test_the_413_has_the_route_familys_shape(declared: bool) -> None:
    body = _Counter(10_000)
    response = await _post("/compat/echo", body, 10_000 if declared else None)
    assert response.status_code == 413
    assert set(response.json()) == {"detail"} and "1,000-byte" in response.json()["detail"]


async def test_a_route_without_a_body_answers_as_usual() -> None:
    body = _Counter(10_000)
    response = await _post("/action", body, declared=10_000)
    assert response.status_code == 200 and response.json() == {"done": True}
    assert body.taken == 0


async def _call(app: Any, scope: Scope, messages: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await BodyLimitMiddleware(app, LIMITS)(scope, receive, send)
    return sent


def _scope(path: str = "/raw", kind: str = "http") -> Scope:
    return {"type": kind, "method": "POST", "path": path, "headers": []}


async def test_an_exception_from_a_cut_off_read_becomes_the_413() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass

    chunks = [{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 3
    sent = await _call(app, _scope(), list(chunks))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert b"payload_too_large" in sent[1]["body"]


async def test_an_answer_already_started_is_left_alone() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        # a streaming answer that listens for the client leaving reads on
        await receive()
        await receive()
        await send({"type": "http.response.body", "body": b"done"})

    chunks = [{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 2
    sent = await _call(app, _scope(), list(chunks))
    assert [m.get("status", m.get("body")) for m in sent] == [200, b"done"]


async def test_other_connections_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    await _call(app, _scope(kind="websocket"), [])
    await _call(app, _scope(kind="lifespan"), [])
    assert seen == ["websocket", "lifespan"]
