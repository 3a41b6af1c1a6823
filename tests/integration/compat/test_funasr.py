"""The FunASR service's routes, FunASR's runtime protocol, and /health as each monitor reads it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import make_settings, serve_app
from tests.support.asr_speech import CHINESE, CHINESE_VOICE, ENGLISH, ENGLISH_VOICE, utterance
from tests.support.asr_support import asr_settings, pcm16, tone, ws_url
from tests.support.funasr_runtime_client import Recognition, RuntimeClient
from voxhub.api.app import create_app
from voxhub.api.compat.funasr_results import Increments
from voxhub.container import Container
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate, word_tokens
from voxhub.engines.pool import EnginePool

MAX_CONNECTIONS = 3
MAX_UTTERANCE = 1.0
MAX_WER = 0.2
MAX_CER = 0.25


def words(count: int) -> str:
    return " ".join(f"w{n}" for n in range(1, count + 1))


def spans(count: int) -> list[list[int]]:
    return [[100 * n, 100 * (n + 1)] for n in range(count)]


# the fake engine (one word "wN" per 100 ms of tone) pins each mode's exact results; whisper
# recognizes kokoro's speech streamed in real time
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("funasr-compat"),
        max_connections=MAX_CONNECTIONS,
        max_utterance_seconds=MAX_UTTERANCE,
        partial_interval=0.05,
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


@pytest.fixture(scope="module")
def whisper_server(
    tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool
) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("funasr-whisper"),
        default="whisper",
        enabled=["whisper"],
        preload=["whisper"],
        workers=1,
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


# -- GET / and /health -------------------------------------------------------------------


# a browser (Accept preferring text/html) gets the web console: tests/browser/test_console.py
@pytest.mark.parametrize("accept", ["application/json", "*/*", "text/html;q=0.5,*/*"])
async def test_root_describes_the_service_in_json_for_clients_other_than_browsers(
    server: str, accept: str
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "running"
    assert body["max_connections"] == MAX_CONNECTIONS
    assert body["endpoints"]["websocket"] == "/ws/asr"
    assert body["endpoints"]["health"] == "/health"
    assert body["endpoints"]["stats"] == "/stats"


def funasr_monitor(response: httpx.Response) -> bool:
    """The FunASR document's check: `curl /health | jq`, status "healthy", the numbers."""
    body = response.json()
    assert isinstance(body["active_connections"], int)
    assert isinstance(body["max_connections"], int)
    for key in ("cpu_usage_percent", "memory_usage_percent"):
        assert 0 <= body[key] <= 100, body[key]
    datetime.fromisoformat(body["timestamp"])
    return bool(body["status"] == "healthy" and body["model_loaded"] is True)


def indextts_monitor(response: httpx.Response) -> bool:
    body = response.json()
    return response.status_code == 200 and body["status"] == "healthy" and body["model_loaded"]


def cloning_monitor(response: httpx.Response) -> bool:
    return response.json()["success"] is True


def voxhub_monitor(response: httpx.Response) -> bool:
    """`voxhub start`/`status` read the status code, the engines and the problems."""
    body = response.json()
    assert all("model_loaded" in engine for engine in body["engines"].values())
    return response.status_code == 200 and not body["problems"]


MONITORS = (funasr_monitor, indextts_monitor, cloning_monitor, voxhub_monitor)


async def test_health_is_one_document_every_monitor_reads(server: str) -> None:
    # an open runtime connection counts among the active ones
    async with await RuntimeClient.open(ws_url(server, "/")), httpx.AsyncClient() as http:
        response = await http.get(f"{server}/health")
    assert response.status_code == 200
    assert all(monitor(response) for monitor in MONITORS)
    body = response.json()
    assert body["active_connections"] >= 1
    assert body["max_connections"] == MAX_CONNECTIONS
    assert body["asr"]["max_connections"] == MAX_CONNECTIONS
    assert set(body["dependencies"]) == {"database", "broker", "storage"}
    assert body["engines"]["espeak"]["model_loaded"] is True


async def test_unhealthy_is_503_and_every_monitor_sees_it(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    settings = make_settings(tmp_path, default="espeak").model_copy(
        # nothing listens on port 1: the database is down
        update={"database_url": "postgresql://postgres@127.0.0.1:1/voxhub"}
    )
    app = create_app(settings, Container.build(settings, engine_pool))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/health")
    assert response.status_code == 503
    assert not any(monitor(response) for monitor in MONITORS)
    body = response.json()
    assert body["status"] == "degraded" and body["success"] is False
    assert any(p.startswith("database unreachable") for p in body["problems"])


# -- the runtime protocol, exactly, with the fake engine ----------------------------------


def assert_online_pieces(said: Recognition, label: str) -> None:
    """Online results are pieces to append, not final until the end."""
    online = said.online()
    assert {r.mode for r in online} == {label}
    assert all(not r.is_final for r in online[:-1])
    assert all(r.text for r in online[:-1])


@pytest.mark.parametrize("path", ["/", "/ws/asr"])
async def test_online_mode_pieces_append_to_the_utterance(server: str, path: str) -> None:
    async with await RuntimeClient.open(ws_url(server, path)) as client:
        said = await client.recognize(tone(0.8), mode="online", wav_name="take-1")
    assert [r.mode for r in said.results] == ["online"] * len(said.results)
    assert len(said.results) >= 2, said.results
    assert_online_pieces(said, "online")
    assert said.online_text == words(8)
    assert said.final.is_final
    assert {r.message["wav_name"] for r in said.results} == {"take-1"}
    assert said.others == []


async def test_offline_mode_answers_once_with_timestamps(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        said = await client.recognize(tone(0.8), mode="offline", wav_name="file.wav")
    assert len(said.results) == 1
    final = said.final.message
    assert final["mode"] == "offline" and final["is_final"] is True
    assert final["text"] == words(8) and final["wav_name"] == "file.wav"
    # the timestamp is a string of [start, end] pairs in ms, as FunASR writes it
    assert isinstance(final["timestamp"], str)
    assert json.loads(final["timestamp"]) == spans(8)
    assert final["stamp_sents"] == [
        {"text_seg": words(8), "punc": "", "start": 0, "end": 800, "ts_list": spans(8)}
    ]


async def test_2pass_mode_gives_online_pieces_then_the_corrected_sentence(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        said = await client.recognize(tone(0.8), mode="2pass")
    *online, final = said.results
    assert online and {r.mode for r in online} == {"2pass-online"}
    assert not any(r.is_final for r in online)
    assert words(8).startswith(said.online_text)
    assert final.mode == "2pass-offline" and final.is_final and final.text == words(8)
    assert json.loads(final.message["timestamp"]) == spans(8)
    # the first online piece came while the audio was still being sent
    assert online[0].at < said.audio_seconds


async def test_an_utterance_over_the_length_limit_is_cut_with_is_final_false(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        said = await client.recognize(tone(MAX_UTTERANCE + 0.5), mode="2pass")
    cut, last = said.offline()
    assert (cut.text, cut.is_final) == (words(10), False)
    assert (last.text, last.is_final) == (words(5), True)


async def test_one_connection_carries_several_utterances_and_wavs(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        first = await client.recognize(tone(0.3), mode="offline", wav_name="a")
        # more audio after the end flag is the next utterance of the same wav
        await client.websocket.send(tone(0.2))
        await client.send_json({"is_speaking": False})
        again = await client.receive()
        second = await client.recognize(tone(0.4), mode="2pass", wav_name="b")
    assert (first.final.text, first.final.message["wav_name"]) == (words(3), "a")
    assert (again["mode"], again["wav_name"]) == ("offline", "a")
    assert (again["text"], again["is_final"]) == (words(2), True)
    assert (second.final.mode, second.final.text) == ("2pass-offline", words(4))
    assert second.final.message["wav_name"] == "b"


async def test_the_end_flag_without_audio_answers_an_empty_final(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        await client.send_json({"mode": "2pass", "wav_name": "quiet", "is_speaking": True})
        await client.send_json({"is_speaking": False})
        answer = await client.receive()
    assert answer == {"mode": "2pass-offline", "wav_name": "quiet", "text": "", "is_final": True}


@pytest.mark.parametrize(
    ("first", "code", "status"),
    [
        ({"mode": "2pass", "wav_format": "mp3"}, "unsupported_format", 422),
        ({"mode": "3pass"}, "invalid_message", 400),
        ({"mode": "online", "audio_fs": 1234}, "unsupported_sample_rate", 422),
        ({"mode": "online", "chunk_size": "5,ten,5"}, "invalid_message", 400),
    ],
)
async def test_a_refused_first_message_answers_a_final_error(
    server: str, first: dict[str, Any], code: str, status: int
) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        await client.send_json({**first, "wav_name": "bad", "is_speaking": True})
        answer = await client.receive()
        assert answer["is_final"] is True and answer["text"] == ""
        assert (answer["error"], answer["code"], answer["wav_name"]) == (code, status, "bad")
        assert answer["message"]
        # the connection stays usable
        said = await client.recognize(tone(0.3), mode="offline")
    assert said.final.text == words(3)


async def test_bad_frames_mid_stream_are_answered_and_the_utterance_goes_on(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        await client.send_json({"mode": "offline", "wav_name": "w", "is_speaking": True})
        await client.websocket.send(tone(0.2))
        await client.websocket.send("{oops")
        refused = await client.receive()
        await client.websocket.send(tone(0.2))
        await client.send_json({"is_speaking": False})
        final = await client.receive()
    assert (refused["error"], refused["code"], refused["is_final"]) == (
        "invalid_message",
        400,
        False,
    )
    assert (final["text"], final["is_final"]) == (words(4), True)


async def test_a_bare_is_speaking_opens_a_stream_with_the_defaults(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        await client.send_json({"is_speaking": True})
        await client.websocket.send(tone(0.3))
        await client.send_json({"is_speaking": False})
        while not (answer := await client.receive())["is_final"]:
            assert answer["mode"] == "2pass-online"
    assert (answer["mode"], answer["wav_name"]) == ("2pass-offline", "wav-default-id")
    assert answer["text"] == words(3)


async def test_audio_before_the_first_message_is_dropped(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/")) as client:
        await client.websocket.send(tone(0.5))
        said = await client.recognize(tone(0.2), mode="offline")
    assert said.final.text == words(2)


# -- /ws/asr: the dialect is told by the first message ------------------------------------


async def test_ws_asr_runtime_clients_asking_for_binary_get_no_greeting(server: str) -> None:
    async with await RuntimeClient.open(ws_url(server, "/ws/asr")) as client:
        assert client.websocket.subprotocol == "binary"
        said = await client.recognize(tone(0.3), mode="2pass")
    assert said.others == []
    assert said.final.text == words(3)


async def test_ws_asr_runtime_clients_without_subprotocol_pass_over_the_greeting(
    server: str,
) -> None:
    async with await RuntimeClient.open(
        ws_url(server, "/ws/asr"), binary_subprotocol=False
    ) as client:
        assert client.websocket.subprotocol is None
        said = await client.recognize(tone(0.3), mode="offline")
    # the FunASR service's greeting has no mode: runtime clients skip it
    assert [m["type"] for m in said.others] == ["status"]
    assert said.final.text == words(3)


async def test_ws_asr_service_clients_keep_their_protocol(server: str) -> None:
    async with connect(ws_url(server, "/ws/asr")) as ws:
        greeting = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "control", "command": "start", "language": "en"}))
        started = json.loads(await ws.recv())
        await ws.send(tone(0.3))
        await ws.send(json.dumps({"type": "control", "command": "stop"}))
        while (stopped := json.loads(await asyncio.wait_for(ws.recv(), 5)))["type"] != "status":
            assert stopped["type"] == "result"
    assert greeting["type"] == "status" and started["type"] == "status"
    assert (stopped["mode"], stopped["text"]) == ("final", words(3))


# -- limits are those of every real-time route ---------------------------------------------


async def test_over_max_connections_the_runtime_route_refuses_with_1013(server: str) -> None:
    held = [await connect(ws_url(server, "/v1/asr/stream")) for _ in range(MAX_CONNECTIONS)]
    try:
        async with await RuntimeClient.open(ws_url(server, "/")) as refused:
            answer = await refused.receive()
            with pytest.raises(ConnectionClosed):
                await refused.receive()
        assert (answer["error"], answer["code"], answer["is_final"]) == ("overloaded", 429, True)
        assert refused.websocket.close_code == 1013
        assert "retry_after=" in (refused.websocket.close_reason or "")
    finally:
        for connection in held:
            await connection.close()


# -- real speech, recognized by whisper ----------------------------------------------------


@pytest.fixture(scope="module")
def english(engine_pool: EnginePool) -> bytes:
    return pcm16(utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE))


@pytest.mark.kokoro
@pytest.mark.parametrize("mode", ["online", "offline", "2pass"])
async def test_speech_comes_back_in_each_mode(
    whisper_server: str, english: bytes, mode: str
) -> None:
    spoken = " ".join(ENGLISH[:2])
    async with await RuntimeClient.open(ws_url(whisper_server, "/")) as client:
        said = await client.recognize(english, mode=mode, wav_name=f"en-{mode}")
    final = said.final
    assert final.is_final and final.message["wav_name"] == f"en-{mode}"
    if mode == "online":
        # how many pieces come before the end depends on how busy the decoder is; what they
        # add up to does not
        assert_online_pieces(said, "online")
        heard = said.online_text
    else:
        labels = {"offline": "offline", "2pass": "2pass-offline"}
        assert [r.mode for r in said.offline()] == [labels[mode]]
        assert [r.mode for r in said.results[:-1]] == ["2pass-online"] * len(said.online())
        heard = final.text
        stamps = json.loads(final.message["timestamp"])
        assert stamps and all(start <= end for start, end in stamps)
        assert stamps[-1][1] <= 1000 * said.audio_seconds
        assert "".join(s["text_seg"] for s in final.message["stamp_sents"])
    assert word_error_rate(spoken, heard) <= MAX_WER, heard
    # online pieces, when the decoder had time for them, read as the final text does
    pieces = said.online_text
    settled = " ".join(word_tokens(heard)[: len(word_tokens(pieces))])
    assert word_error_rate(settled, pieces) <= MAX_WER, (pieces, heard)


@pytest.mark.kokoro
async def test_chinese_speech_in_2pass_on_ws_asr(
    whisper_server: str, engine_pool: EnginePool
) -> None:
    speech = pcm16(utterance(engine_pool, CHINESE[:1], "zh", CHINESE_VOICE))
    async with await RuntimeClient.open(ws_url(whisper_server, "/ws/asr")) as client:
        said = await client.recognize(speech, mode="2pass", wav_name="zh")
    heard = said.final.text
    assert said.final.mode == "2pass-offline"
    assert character_error_rate(CHINESE[0], heard) <= MAX_CER, heard
    # Chinese pieces join without spaces, as the final text does
    pieces = said.online_text
    assert " " not in pieces
    settled = "".join(word_tokens(heard)[: len(word_tokens(pieces))])
    assert character_error_rate(settled, pieces) <= MAX_CER, (pieces, heard)


# -- how whole hypotheses become pieces ----------------------------------------------------


def test_pieces_are_sent_once_two_hypotheses_agree_and_the_final_sends_the_rest() -> None:
    pieces = Increments()
    sent = [
        pieces.advance(h)
        for h in ("The wea", "The weather is", "The weather is nice", "the weather is nice to")
    ]
    # "wea" became "weather": only words two hypotheses agree on go out
    assert sent == ["", "The", " weather is", " nice"]
    assert pieces.finish("The weather is nice today.") == " today."
    # the next utterance starts afresh
    assert pieces.advance("Hello") == "" and pieces.finish("Hello there.") == "Hello there."


def test_chinese_pieces_are_characters_and_punctuation_travels_with_them() -> None:
    pieces = Increments()
    sent = [pieces.advance(h) for h in ("今天天", "今天天气很", "今天天气很好，我们")]
    assert sent == ["", "今天天", "气很"]
    assert pieces.finish("今天天气很好，我们一起去公园散步吧。") == "好，我们一起去公园散步吧。"
