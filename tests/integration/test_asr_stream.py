"""WS /v1/asr/stream on a real uvicorn with the fake engine: protocol, bad input, limits, load."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, frames, silence, tone, ws_url
from voxhub.container import Container
from voxhub.engines.asr.fake import FakeASREngine
from voxhub.engines.pool import EnginePool

# the async fixtures (connections) live on the session's loop: run the tests there too
pytestmark = pytest.mark.asyncio(loop_scope="session")

MAX_CONNECTIONS = 8
MAX_FRAME_BYTES = 8000
MAX_UTTERANCE = 1.0
THREADS = 2
# streams of the load test: each keeps one decode job queued or running
LOAD_STREAMS = 12


@dataclass
class Server:
    url: str
    container: Container

    @property
    def ws(self) -> str:
        return ws_url(self.url)

    @property
    def fake(self) -> FakeASREngine:
        engine = self.container.asr_engines.get("fake")
        assert isinstance(engine, FakeASREngine)
        return engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[Server]:
    settings = asr_settings(
        tmp_path_factory.mktemp("asr"),
        max_connections=MAX_CONNECTIONS,
        max_frame_bytes=MAX_FRAME_BYTES,
        max_utterance_seconds=MAX_UTTERANCE,
        decode_threads=THREADS,
        partial_interval=0.05,
    )
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        yield Server(url, container)


@pytest.fixture
def fake(server: Server) -> Iterator[FakeASREngine]:
    engine = server.fake
    yield engine
    engine.decode_delay = engine.accept_delay = 0.0
    engine.fail_on = set()
    engine.incremental = True
    engine.log = None


@pytest.fixture
async def ws(server: Server) -> AsyncIterator[ClientConnection]:
    async with connect(server.ws) as connection:
        yield connection


async def receive(ws: ClientConnection, within: float = 5.0) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), within))
    assert isinstance(message, dict)
    return message


async def until(ws: ClientConnection, kind: str, within: float = 10.0) -> dict[str, Any]:
    """The next frame of `kind`, skipping partials (and failing on anything else)."""
    while True:
        message = await receive(ws, within)
        if message["type"] == kind:
            return message
        assert message["type"] == "partial", message


async def start(ws: ClientConnection, **fields: Any) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "start", "sample_rate": 16000, **fields}))
    return await until(ws, "ready")


async def speak(ws: ClientConnection, pcm: bytes, pace: float = 0.0) -> None:
    for frame in frames(pcm):
        await ws.send(frame)
        await asyncio.sleep(pace)


async def stop(ws: ClientConnection) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "stop"}))
    return await until(ws, "final")


async def no_connections(server: Server) -> None:
    """Wait until the server has let go of earlier tests' connections."""
    for _ in range(100):
        if (await stats(server))["asr"]["active_connections"] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("connections of earlier tests are still open")


async def stats(server: Server) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as http:
        body: dict[str, Any] = (await http.get("/v1/stats")).json()
    return body


async def test_partials_come_before_the_final_with_words_and_times(
    ws: ClientConnection, fake: FakeASREngine
) -> None:
    ready = await start(ws, language="en")
    assert ready["engine"] == "fake"
    assert ready["sample_rate"] == 16000
    assert ready["session_id"]
    await speak(ws, tone(0.6), pace=0.05)
    await ws.send(json.dumps({"type": "stop"}))
    seen = []
    while (message := await receive(ws))["type"] == "partial":
        seen.append(message["text"])
    assert message["type"] == "final"
    assert seen, "no partial before the final"
    assert all(text.startswith("w1") for text in seen)
    assert message["text"] == "w1 w2 w3 w4 w5 w6"
    assert message["language"] == "en"
    assert message["duration"] == pytest.approx(0.6)
    assert [w["text"] for w in message["words"]] == message["text"].split()
    assert message["words"][2] == {"text": "w3", "start": 0.2, "end": 0.3}
    assert message["segments"][0]["words"] == message["words"]
    # every call reached the engine on a decode thread, never the event loop's
    assert fake.threads and all(name.startswith("asr-decode-") for name in fake.threads)


async def test_the_connection_serves_utterance_after_utterance(ws: ClientConnection) -> None:
    await start(ws)
    await speak(ws, tone(0.3))
    assert (await stop(ws))["text"] == "w1 w2 w3"
    await speak(ws, tone(0.2))
    await ws.send(json.dumps({"type": "reset"}))
    assert (await until(ws, "reset"))["session_id"]
    await ws.send(json.dumps({"type": "stop"}))
    assert (await until(ws, "error"))["code"] == "no_audio"
    await speak(ws, silence(0.2) + tone(0.2))
    assert (await stop(ws))["text"] == "w1 w2"


async def test_a_second_start_replaces_the_stream(ws: ClientConnection) -> None:
    first = await start(ws)
    await speak(ws, tone(0.3))
    second = await start(ws, sample_rate=8000)
    assert second["session_id"] != first["session_id"]
    assert second["sample_rate"] == 8000
    await speak(ws, tone(0.4, rate=8000))
    assert (await stop(ws))["text"] == "w1 w2 w3 w4"


async def test_any_rate_from_8_to_48_khz_is_resampled_for_the_engine(
    ws: ClientConnection,
) -> None:
    await start(ws, sample_rate=48000)
    pcm = silence(0.2, rate=48000) + tone(0.5, rate=48000)
    for i in range(0, len(pcm), 4800):
        await ws.send(pcm[i : i + 4800])
    final = await stop(ws)
    assert final["text"] == "w1 w2 w3 w4 w5"
    assert final["words"][0]["start"] == pytest.approx(0.2)


BAD_INPUT = [
    ("not json", "invalid_message"),
    ("[1, 2]", "invalid_message"),
    (json.dumps({"sample_rate": 16000}), "invalid_message"),
    (json.dumps({"type": "shout"}), "unknown_message_type"),
    (b"\x00\x00" * 100, "not_started"),
    (json.dumps({"type": "stop"}), "not_started"),
    (json.dumps({"type": "reset"}), "not_started"),
    (json.dumps({"type": "start", "sample_rate": 4000}), "unsupported_sample_rate"),
    (json.dumps({"type": "start", "sample_rate": 96000}), "unsupported_sample_rate"),
    (json.dumps({"type": "start", "sample_rate": "16k"}), "invalid_message"),
    (json.dumps({"type": "start", "format": "opus"}), "unsupported_format"),
    (json.dumps({"type": "start", "language": "fr"}), "unsupported_language"),
    (json.dumps({"type": "start", "engine": "nope"}), "engine_not_found"),
    (json.dumps({"type": "start", "partials": "yes"}), "invalid_message"),
    (json.dumps({"type": "start", "hotwords": [1]}), "invalid_message"),
    (b"\x00" * (MAX_FRAME_BYTES + 2), "frame_too_large"),
    (json.dumps({"type": "ping", "pad": "x" * MAX_FRAME_BYTES}), "frame_too_large"),
]


@pytest.mark.parametrize(("frame", "code"), BAD_INPUT)
async def test_bad_input_gets_an_error_frame_and_the_connection_stays_usable(
    ws: ClientConnection, frame: str | bytes, code: str
) -> None:
    await ws.send(frame)
    error = await receive(ws)
    assert error["type"] == "error"
    assert error["code"] == code
    assert len(error["message"]) > 20
    await ws.send(json.dumps({"type": "ping"}))
    assert (await receive(ws))["type"] == "pong"


async def test_bad_audio_and_stop_after_start(ws: ClientConnection) -> None:
    await start(ws)
    await ws.send(json.dumps({"type": "stop"}))
    assert (await until(ws, "error"))["code"] == "no_audio"
    await ws.send(b"\x00\x01\x02")
    assert (await until(ws, "error"))["code"] == "invalid_audio"
    await speak(ws, tone(0.2))
    assert (await stop(ws))["text"] == "w1 w2"


async def test_start_is_validated_before_a_session_opens(
    server: Server, ws: ClientConnection
) -> None:
    before = (await stats(server))["asr"]["sessions_served"]
    for bad in ({"sample_rate": 2000}, {"format": "mp3"}, {"language": "de"}):
        await ws.send(json.dumps({"type": "start", **bad}))
        assert (await receive(ws))["type"] == "error"
    assert (await stats(server))["asr"]["sessions_served"] == before


async def test_an_utterance_at_the_length_limit_is_finalized_and_the_rest_goes_on(
    ws: ClientConnection,
) -> None:
    await start(ws, partials=False)
    await speak(ws, tone(MAX_UTTERANCE + 0.3))
    error = await until(ws, "error")
    assert error["code"] == "utterance_too_long"
    first = await until(ws, "final")
    assert len(first["words"]) == 10
    assert (await stop(ws))["text"] == "w1 w2 w3"


async def test_over_max_connections_the_handshake_is_refused_with_1013(server: Server) -> None:
    await no_connections(server)
    before = (await stats(server))["asr"]
    held = [await connect(server.ws) for _ in range(MAX_CONNECTIONS)]
    try:
        async with connect(server.ws) as extra:
            error = await receive(extra)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(extra.recv(), 5)
        assert error == {"type": "error", "code": "overloaded", "message": error["message"]}
        assert extra.close_code == 1013
        assert extra.close_reason is not None
        assert "retry_after=" in extra.close_reason
        after = (await stats(server))["asr"]
        assert after["rejected"] == before["rejected"] + 1
        assert after["active_connections"] == MAX_CONNECTIONS
    finally:
        await held.pop().close()
    try:
        # a freed slot is taken again at once
        async with connect(server.ws) as again:
            await start(again)
    finally:
        for connection in held:
            await connection.close()


async def test_engine_failures_answer_error_frames_and_the_stream_goes_on(
    ws: ClientConnection, fake: FakeASREngine
) -> None:
    await start(ws)
    fake.fail_on = {"final"}
    await speak(ws, tone(0.2))
    await ws.send(json.dumps({"type": "stop"}))
    assert (await until(ws, "error"))["code"] == "engine_unavailable"
    fake.fail_on = {"accept"}
    await ws.send(tone(0.1))
    failed = await until(ws, "error")
    assert failed["code"] == "engine_unavailable"
    assert "accept" in failed["message"]
    fake.fail_on = set()
    await speak(ws, tone(0.3))
    assert (await stop(ws))["text"] == "w1 w2 w3"


async def test_finals_overtake_queued_work_under_load(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    """Busy streams keep both decode threads and the queue full; a stop's final still runs
    next, ahead of everything queued, and partials are rationed rather than piled up."""
    settings = asr_settings(
        tmp_path, max_connections=LOAD_STREAMS, decode_threads=THREADS, partial_interval=0.05
    )
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        server = Server(url, container)
        fake = server.fake
        fake.incremental = False
        fake.decode_delay = 0.2
        fake.accept_delay = 0.1
        fake.log = []
        stopped, latency, final, queue_under_load = await _stop_under_load(server)
    assert final["text"] == "w1 w2 w3"
    assert fake.max_concurrent == THREADS
    log = fake.log
    final_started = next(t for t, method in log if method == "final" and t > stopped)
    overtaken = [m for t, m in log if stopped < t < final_started]
    # only jobs taken up while the stop waited for its own running call (≤ 0.2 s) started
    # before it: a thread frees up at most twice in that time, never the whole queue
    assert queue_under_load > 2 * THREADS
    assert len(overtaken) <= 2 * THREADS, overtaken
    # the final waited for at most one running call, then decoded: a few decode times
    assert latency / fake.decode_delay < 4


async def _stop_under_load(server: Server) -> tuple[float, float, dict[str, Any], int]:
    busy = [await connect(server.ws) for _ in range(LOAD_STREAMS - 1)]
    done = asyncio.Event()

    async def keep_talking(connection: ClientConnection) -> None:
        await start(connection)
        while not done.is_set():
            await connection.send(tone(0.1))
            await asyncio.sleep(0.05)

    talkers = [asyncio.create_task(keep_talking(c)) for c in busy]
    try:
        async with connect(server.ws) as ws:
            await start(ws)
            await speak(ws, tone(0.3), pace=0.05)
            queue_under_load = 0
            for _ in range(10):
                await asyncio.sleep(0.1)
                figures = (await stats(server))["asr"]
                queue_under_load = max(queue_under_load, figures["decode_queue"])
            stopped = time.monotonic()
            final = await stop(ws)
            latency = time.monotonic() - stopped
    finally:
        done.set()
        await asyncio.gather(*talkers)
        for connection in busy:
            await connection.close()
    return stopped, latency, final, queue_under_load


async def test_stats_health_metrics_and_engines_report_the_streams(
    server: Server, ws: ClientConnection
) -> None:
    before = (await stats(server))["asr"]
    await start(ws)
    await speak(ws, tone(0.5))
    await stop(ws)
    async with httpx.AsyncClient(base_url=server.url) as http:
        after = (await http.get("/v1/stats")).json()["asr"]
        health = (await http.get("/health")).json()
        metrics = (await http.get("/metrics")).text
        engines = (await http.get("/v1/asr/engines")).json()
        funasr = (await http.get("/stats")).json()
    assert after["sessions_served"] == before["sessions_served"] + 1
    assert after["finals_sent"] == before["finals_sent"] + 1
    assert after["audio_seconds"] - before["audio_seconds"] == pytest.approx(0.5)
    assert after["real_time_factor"] is not None
    assert after["max_connections"] == MAX_CONNECTIONS
    assert after["active_connections"] >= 1
    assert "fake" in after["engines_loaded"]
    assert health["asr"]["max_connections"] == MAX_CONNECTIONS
    assert "voxhub_asr_connections_active" in metrics
    assert 'voxhub_asr_audio_seconds_total{engine="fake"}' in metrics
    assert "voxhub_asr_final_latency_seconds_bucket" in metrics
    assert engines["default"] == "fake"
    entry = next(e for e in engines["engines"] if e["name"] == "fake")
    assert entry["loaded"] is True
    assert "en" in entry["languages"]
    assert funasr["max_connections"] == MAX_CONNECTIONS
    assert funasr["model"] == "fake"


async def test_an_idle_connection_is_closed_with_a_reason(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    settings = asr_settings(tmp_path, idle_timeout=0.3)
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        async with connect(ws_url(url)) as ws:
            await start(ws)
            error = await receive(ws, within=5)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
        assert error["code"] == "idle_timeout"
        assert ws.close_code == 1001
        assert ws.close_reason is not None
        assert ws.close_reason.startswith("idle_timeout:")
