"""The GLM-TTS service's documented calls against voxhub: synthesis, health, concurrency
statistics, prompt indexes, its 408 and 429, and its speech heard back by whisper."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import shlex
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import soundfile as sf

from tests.conftest import ENABLED, serve_app
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engine_setup import asr_engine_pool
from voxhub.engines.asr.accuracy import character_error_rate
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.settings import AdmissionSettings, CompatSettings, EngineSettings, Settings

# the calls of the operations guide (3a), verbatim; only the address is the test server's
DOCUMENTED_HOST = "http://localhost:8049"
HEALTH = "curl http://localhost:8049/api/v1/health"
CONCURRENCY = "curl http://localhost:8049/api/v1/stats/concurrency"
TTS = """curl -X POST http://localhost:8049/api/v1/tts \\
  -F "input_text=测试文本" \\
  -F "index=exampleA" \\
  -F "sample_rate=24000\""""

SPOKEN = "今天天气很好，我们一起去公园散步吧。"
# every knob of that service, as its Python clients send them: `requests.post(url,
# data={..., "use_cache": True})` form-encodes each value with str()
KNOBS = {
    "seed": "42",
    "sample_rate": "24000",
    "use_cache": "True",
    "use_phoneme": "False",
    "sample_method": "ras",
    "sampling": "25",
    "beam_size": "1",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=ENABLED),
        # kokoro's first sentence (and a busy test machine) can outlast the default deadline
        admission=AdmissionSettings(min_timeout=60.0),
    )


@pytest.fixture(scope="module")
def asr_pool(tmp_path_factory: pytest.TempPathFactory) -> ASREnginePool:
    """Recognition engines load once for the module, and only if a test uses them."""
    return asr_engine_pool(Settings(data_dir=tmp_path_factory.mktemp("asr-data")))


@pytest.fixture
def container(
    settings: Settings, engine_pool: EnginePool, asr_pool: ASREnginePool
) -> Iterator[Container]:
    yield Container.build(settings, engine_pool, asr_pool)


async def _curl(documented: str, base_url: str) -> tuple[int, bytes]:
    """Run a documented curl command against `base_url`; its status and body."""
    command = shlex.split(documented.replace("\\\n", " ").replace(DOCUMENTED_HOST, base_url))
    done = await anyio.run_process([*command, "-s", "-w", "\n%{http_code}"])
    body, _, status = done.stdout.rpartition(b"\n")
    return int(status), body


async def _register(base_url: str, engine_voice: str, *aliases: str) -> str:
    # the first use of an engine loads it
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        response = await client.post(
            "/v1/voices",
            data={
                "name": f"Prompt {aliases[0]}",
                "engine_voice": engine_voice,
                "aliases": list(aliases),
            },
        )
    assert response.status_code == 201, response.text
    voice_id: str = response.json()["id"]
    return voice_id


def _wav(body: dict[str, Any]) -> tuple[Any, int, str]:
    """The samples, rate and subtype of the base64 WAV of a success answer."""
    data = base64.b64decode(body["audio_base64"])
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    info = sf.info(io.BytesIO(data))
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    return samples, rate, info.subtype


async def test_documented_tts_call(live_server: str) -> None:
    await _register(live_server, "espeak:cmn", "exampleA")
    status, raw = await _curl(TTS, live_server)
    assert status == 200, raw
    body = json.loads(raw)
    assert set(body) == {
        "success",
        "message",
        "audio_base64",
        "sample_rate",
        "generation_time",
        "error",
    }
    assert body["success"] is True and body["error"] is None
    assert body["message"] == "TTS generation successful"
    assert body["sample_rate"] == 24000
    assert isinstance(body["generation_time"], float) and body["generation_time"] >= 0
    samples, rate, subtype = _wav(body)
    assert rate == 24000 and subtype == "PCM_16" and samples.ndim == 1
    # four syllables of speech, not silence
    assert len(samples) / rate > 0.3 and float(abs(samples).max()) > 0.05


@pytest.mark.kokoro
async def test_speech_round_trips_through_whisper(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        "/v1/voices",
        data={"name": "A", "engine_voice": "kokoro:jm_kumo", "aliases": "exampleA"},
    )
    assert registered.status_code == 201, registered.text
    # as that service's Python clients call it: form-encoded, every knob set
    response = await client.post(
        "/api/v1/tts", data={"input_text": SPOKEN, "index": "exampleA", **KNOBS}
    )
    assert response.status_code == 200, response.text
    audio = base64.b64decode(response.json()["audio_base64"])
    heard = await client.post(
        "/v1/asr/transcriptions",
        data={"engine": "whisper", "language": "zh", "response_format": "text"},
        files={"file": ("speech.wav", audio, "audio/wav")},
    )
    assert heard.status_code == 200, heard.text
    assert character_error_rate(SPOKEN, heard.text) <= 0.25, heard.text


async def test_numeric_alias_and_the_audio_itself(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        "/v1/voices",
        data={"name": "Seven", "engine_voice": "espeak:en-gb-scotland", "aliases": "7"},
    )
    assert registered.status_code == 201, registered.text
    form = {"input_text": "Prompt seven speaks.", "index": "7", **KNOBS, "sample_rate": "16000"}
    response = await client.post("/api/v1/tts", data=form, headers={"Accept": "audio/wav"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    # the registered voice, not the default English one
    assert response.headers["x-voxhub-voice"] == "espeak:en-gb-scotland"
    assert response.headers["x-sample-rate"] == "16000"
    assert float(response.headers["x-generation-time"]) >= 0
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    assert rate == 16000 and len(samples) / rate > 0.5
    # without the Accept header, or with */*, the answer is that service's JSON
    plain = await client.post("/api/v1/tts", data=form, headers={"Accept": "*/*"})
    assert plain.headers["content-type"] == "application/json"
    assert _wav(plain.json())[1] == 16000


async def test_documented_health_call(live_server: str, container: Container) -> None:
    await _register(live_server, "espeak:cmn", "exampleA", "exampleB")
    status, raw = await _curl(HEALTH, live_server)
    assert status == 200
    assert json.loads(raw) == {
        "status": "healthy",
        "model_loaded": True,
        "model_sample_rate": container.engines.get("espeak").capabilities.sample_rate,
        "model_use_phoneme": False,
        "prompt_cache_count": 2,
    }


@asynccontextmanager
async def _app_client(
    settings: Settings, engine_pool: EnginePool
) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own settings, served in-process."""
    app = create_app(settings, Container.build(settings, engine_pool))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def test_health_is_unhealthy_when_the_database_is_down(
    settings: Settings, engine_pool: EnginePool
) -> None:
    # nothing listens on port 1
    down = settings.model_copy(update={"database_url": "postgresql://postgres@127.0.0.1:1/voxhub"})
    async with _app_client(down, engine_pool) as client:
        response = await client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy" and body["model_loaded"] is True
    assert body["prompt_cache_count"] is None
    assert any(p.startswith("database unreachable") for p in body["problems"])


async def test_longer_texts_when_the_route_allows_them(
    settings: Settings, engine_pool: EnginePool
) -> None:
    text = "很好。" * 150
    longer = settings.model_copy(update={"compat": CompatSettings(glmtts_max_chars=500)})
    async with _app_client(longer, engine_pool) as client:
        response = await client.post("/api/v1/tts", data={"input_text": text})
        stats = (await client.get("/api/v1/stats/concurrency")).json()["stats"]
    assert response.status_code == 200, response.text
    assert _wav(response.json())[0].size > 0
    # 450 characters: the long class, whose limits still hold
    assert (stats["long_text"]["total"], stats["short_text"]["total"]) == (1, 0)


async def test_documented_concurrency_call(live_server: str) -> None:
    status, raw = await _curl(CONCURRENCY, live_server)
    assert status == 200
    body = json.loads(raw)
    assert body["success"] is True
    defaults = AdmissionSettings()
    assert body["stats"]["short_text"] == {
        "active": 0,
        "total": 0,
        "limit": defaults.short_concurrency,
        "available": defaults.short_concurrency,
        "queued": 0,
        "queue_limit": defaults.short_queue,
        "rejected": 0,
        "timed_out": 0,
    }
    assert set(body["stats"]) == {"short_text", "long_text"}
    config = body["config"]
    assert config["concurrency"] == {
        "short_text": defaults.short_concurrency,
        "long_text": defaults.long_concurrency,
        "threshold": defaults.threshold,
    }
    assert config["timeout"] == {"short_text": 60.0, "medium_text": 300.0, "long_text": 600.0}
    assert config["workers"] == 1 and config["queue"]["enabled"] is True


async def test_prompt_indexes(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        "/v1/voices",
        data={"name": "A", "engine_voice": "espeak:cmn", "aliases": ["exampleA", "7"]},
    )
    voice_id = registered.json()["id"]
    listed = (await client.get("/api/v1/prompts")).json()
    assert listed["success"] is True
    assert sorted(p["index"] for p in listed["prompts"]) == ["7", "exampleA"]
    one = (await client.get("/api/v1/prompts/7")).json()
    assert one["index"] == "7" and one["voice"] == voice_id
    assert one["config"]["prompt_audio_path"].endswith(f"/v1/voices/{voice_id}/sample")
    preview = await client.get(one["config"]["prompt_audio_path"])
    assert preview.status_code == 200 and preview.headers["content-type"] == "audio/wav"
    missing = await client.get("/api/v1/prompts/exampleC")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("Prompt index 'exampleC' not found")


async def test_errors_are_fastapi_details(client: httpx.AsyncClient) -> None:
    async def detail(status: int, **form: Any) -> str:
        response = await client.post("/api/v1/tts", data=form)
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"detail"} and isinstance(body["detail"], str)
        return str(body["detail"])

    unknown = await detail(404, input_text="你好", index="exampleC")
    assert unknown.startswith("Prompt index 'exampleC' not found") and "aliases=" in unknown
    assert "input_text" in await detail(422, index="exampleC")
    assert "empty" in await detail(422, input_text="   ")
    assert "12345 Hz" in await detail(422, input_text="你好", sample_rate=12345)
    assert "sampling" in await detail(422, input_text="你好", sampling=0)
    assert "sample_method" in await detail(422, input_text="你好", sample_method="greedy")
    assert "/v1/tts/jobs" in await detail(413, input_text="很" * 301)
    upload = await client.post(
        "/api/v1/tts",
        data={"input_text": "你好", "prompt_text": "参考文本"},
        files={"prompt_audio": ("ref.wav", b"RIFF", "audio/wav")},
    )
    assert upload.status_code == 422
    assert "POST /v1/voices" in upload.json()["detail"]


@contextmanager
def _overload_server(
    tmp_path: Path, engine_pool: EnginePool, min_timeout: float
) -> Iterator[tuple[str, Container]]:
    """One slot and one queue place for short texts, deadlines of at least `min_timeout`."""
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="fake", preload=["fake"], enabled=ENABLED),
        admission=AdmissionSettings(
            short_concurrency=1,
            short_queue=1,
            seconds_per_char=0.01,
            safety_factor=1.0,
            buffer=0.0,
            min_timeout=min_timeout,
        ),
    )
    container = Container.build(settings, engine_pool)
    fake = container.engines.get("fake")
    try:
        with serve_app(settings, container) as url:
            yield url, container
    finally:
        fake.delay_per_char = 0.0  # type: ignore[attr-defined]


async def _idle(client: httpx.AsyncClient) -> dict[str, Any]:
    """The short-text figures once no synthesis holds a slot any more."""
    for _ in range(100):
        short: dict[str, Any] = (await client.get("/api/v1/stats/concurrency")).json()["stats"][
            "short_text"
        ]
        if short["active"] == 0:
            return short
        await asyncio.sleep(0.1)
    raise AssertionError(f"a slot is still held: {short}")


async def test_timeout_answers_408_as_documented(tmp_path: Path, engine_pool: EnginePool) -> None:
    with _overload_server(tmp_path, engine_pool, min_timeout=1.0) as (url, container):
        await _register(url, "fake:a", "exampleA")
        # 4 characters at 0.5 s each: two seconds of inference against a one-second deadline
        container.engines.get("fake").delay_per_char = 0.5  # type: ignore[attr-defined]
        status, raw = await _curl(TTS, url)
        assert status == 408
        assert json.loads(raw) == {"detail": "Request timeout after 1 seconds"}
        async with httpx.AsyncClient(base_url=url) as client:
            short = await _idle(client)
    assert short["timed_out"] == 1


async def test_full_queue_answers_429_with_retry_after(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    with _overload_server(tmp_path, engine_pool, min_timeout=30.0) as (url, container):
        await _register(url, "fake:a", "exampleA")
        container.engines.get("fake").delay_per_char = 0.25  # type: ignore[attr-defined]
        form = {"input_text": "测试文本", "index": "exampleA", "sample_rate": "24000"}
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            responses = await asyncio.gather(
                *[client.post("/api/v1/tts", data=form) for _ in range(5)]
            )
            short = await _idle(client)
    statuses = sorted(r.status_code for r in responses)
    # one running and one waiting are served; the rest are refused at once
    assert statuses == [200, 200, 429, 429, 429]
    for refused in (r for r in responses if r.status_code == 429):
        assert int(refused.headers["retry-after"]) >= 1
        assert set(refused.json()) == {"detail"} and "Retry-After" in refused.json()["detail"]
    assert (short["total"], short["rejected"]) == (2, 3)
