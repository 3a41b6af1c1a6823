"""WS /ws/asr speaks the FunASR service's message shapes on the same streams and limits."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, frames, tone, ws_url
from voxhub.container import Container
from voxhub.engines.pool import EnginePool

pytestmark = pytest.mark.asyncio(loop_scope="session")

MAX_CONNECTIONS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("funasr"), max_connections=MAX_CONNECTIONS, partial_interval=0.05
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


async def receive(ws: ClientConnection, within: float = 5.0) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), within))
    assert isinstance(message, dict)
    return message


def control(command: str, **fields: Any) -> str:
    return json.dumps({"type": "control", "command": command, "timestamp": 1, **fields})


def audio(pcm: bytes) -> str:
    return json.dumps({"type": "audio", "data": base64.b64encode(pcm).decode(), "timestamp": 1})


async def test_connect_and_control_commands_answer_status_frames(server: str) -> None:
    async with connect(ws_url(server, "/ws/asr")) as ws:
        greeting = await receive(ws)
        assert greeting["type"] == "status"
        assert greeting["code"] == 200
        assert greeting["connection_id"]
        for command in ("start", "stop", "reset"):
            await ws.send(control(command))
            answer = await receive(ws)
            assert (answer["type"], answer["code"]) == ("status", 200), answer
            assert answer["message"]


async def test_audio_gives_result_frames_and_stop_carries_the_final(server: str) -> None:
    async with connect(ws_url(server, "/ws/asr")) as ws:
        await receive(ws)
        await ws.send(control("start", language="en"))
        assert (await receive(ws))["session_id"]
        for frame in frames(tone(0.5)):
            await ws.send(audio(frame))
            await asyncio.sleep(0.05)
        # binary frames are audio too
        await ws.send(tone(0.2))
        await ws.send(control("stop"))
        results = []
        while (message := await receive(ws))["type"] == "result":
            assert message["mode"] == "partial"
            results.append(message["text"])
        assert results
        assert message["type"] == "status"
        assert message["mode"] == "final"
        assert message["text"] == "w1 w2 w3 w4 w5 w6 w7"
        assert len(message["words"]) == 7


async def test_audio_before_start_is_ignored_as_the_funasr_service_did(server: str) -> None:
    async with connect(ws_url(server, "/ws/asr")) as ws:
        await receive(ws)
        await ws.send(audio(tone(0.5)))
        with pytest.raises(TimeoutError):
            await receive(ws, within=0.5)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (json.dumps({"type": "invalid_type"}), "unknown_message_type"),
        (control("invalid_command"), "unknown_message_type"),
        ("{oops", "invalid_message"),
        (json.dumps({"type": "audio", "data": "%%%"}), "invalid_audio"),
        (control("start", sample_rate=1234), "unsupported_sample_rate"),
    ],
)
async def test_invalid_messages_answer_error_frames(server: str, frame: str, code: str) -> None:
    async with connect(ws_url(server, "/ws/asr")) as ws:
        await receive(ws)
        await ws.send(frame)
        error = await receive(ws)
        assert error["type"] == "error"
        assert error["error"] == code
        assert error["code"] in (400, 422)
        await ws.send(control("start"))
        assert (await receive(ws))["type"] == "status"


async def test_limits_and_stats_are_shared_with_the_v1_route(server: str) -> None:
    held = [await connect(ws_url(server)) for _ in range(MAX_CONNECTIONS)]
    try:
        async with httpx.AsyncClient(base_url=server) as http:
            figures = (await http.get("/stats")).json()
        assert figures["active_connections"] == MAX_CONNECTIONS
        assert figures["max_connections"] == MAX_CONNECTIONS
        async with connect(ws_url(server, "/ws/asr")) as refused:
            error = await receive(refused)
            with pytest.raises(ConnectionClosed):
                await receive(refused)
        assert error["type"] == "error"
        assert error["code"] == 429
        assert refused.close_code == 1013
    finally:
        for connection in held:
            await connection.close()
