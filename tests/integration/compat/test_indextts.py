"""IndexTTS clients' calls, as its document shows them; speech that comes back is listened to."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ENABLED
from tests.support.indextts import callback_receiver, gender_of
from tests.support.jobstack import JobStack, running_stack
from voxhub.api.app import create_app
from voxhub.container import Container, transcriber
from voxhub.engine_setup import asr_engine_pool
from voxhub.engines.asr.accuracy import character_error_rate, word_error_rate
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.engines.tts.options import EngineOptions
from voxhub.services.transcription import Transcriber
from voxhub.settings import (
    AdmissionSettings,
    ASRSettings,
    CompatSettings,
    EngineSettings,
    Settings,
)
from voxhub.subtitles.formats import parse_srt

pytestmark = pytest.mark.kokoro

STATUS_WORDS = {"pending", "processing", "completed", "failed", "cancelled"}
ENGLISH = "The weather is nice today and we will go to the park."
CHINESE = "今天天气很好，我们一起去公园散步吧。"
LONG_ENGLISH = (
    "The library opens at nine in the morning. Children read picture books near the window. "
    "An old man studies a map of the city. The librarian stamps a pile of returned novels. "
    "Outside, the rain stops and the street grows quiet. At noon the reading room is full."
)
# the task fields of IndexTTS's `tts_tasks` table that a status answer carries
TASK_FIELDS = {
    "task_id",
    "task_type",
    "status",
    "voice",
    "payload",
    "result",
    "audio_url",
    "srt_content",
    "error_message",
    "retry_count",
    "callback_url",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
}


def compat_settings(
    data_dir: Path, default: str = "kokoro", enabled: list[str] = ENABLED, **compat: Any
) -> Settings:
    """Generous deadlines: a slow shared machine must not turn these tests into 408s."""
    return Settings(
        data_dir=data_dir,
        engines=EngineSettings(default=default, preload=[default], enabled=enabled),
        admission=AdmissionSettings(min_timeout=300, short_timeout=300, medium_timeout=600),
        compat=CompatSettings(**compat),
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return compat_settings(tmp_path)


@pytest.fixture(scope="module")
def asr_pool(tmp_path_factory: pytest.TempPathFactory) -> ASREnginePool:
    return asr_engine_pool(Settings(data_dir=tmp_path_factory.mktemp("asr-data")))


@pytest.fixture(scope="module")
def listener(asr_pool: ASREnginePool) -> Transcriber:
    return transcriber(ASRSettings(), asr_pool)


def heard(listener: Transcriber, audio: bytes, language: str) -> str:
    """What whisper hears in a recording."""
    return listener.transcribe_blocking(audio, "whisper", language, False).transcript.text


async def online(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/tts/online", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_the_documented_online_call(client: httpx.AsyncClient, listener: Transcriber) -> None:
    # the document's own check of a deployment, verbatim
    text = "你好，这是测试文本"
    answer = await online(client, text=text, character="female")
    assert answer["status"] == "completed" and answer["character"] == "female"
    assert answer["format"] == "wav" and answer["language"] == "zh"
    audio = base64.b64decode(answer["audio_base64"])
    assert audio[:4] == b"RIFF"
    download = await client.get(answer["audio_url"])
    assert download.status_code == 200 and download.content == audio
    cues = parse_srt(answer["srt_content"])
    assert answer["srt"] == answer["srt_content"]
    assert "".join(c.text for c in cues) == text
    assert cues[-1].end == pytest.approx(answer["duration"], abs=0.05)
    assert gender_of(audio) == "female"
    # a nine-character greeting is too little for a fair error rate (the longer sentence in
    # the next tests is scored): its first words must come back
    assert heard(listener, audio, "zh").startswith("你好")


async def test_every_documented_online_field(
    client: httpx.AsyncClient, listener: Transcriber
) -> None:
    answer = await online(
        client,
        text=ENGLISH,
        character="男声",
        speed=1.0,
        temperature=0.3,
        top_p=0.7,
        top_k=20,
        callback_url="http://example.com/callback",
    )
    audio = base64.b64decode(answer["audio_base64"])
    assert answer["voice"] == "kokoro:jm_kumo" and answer["text_length"] == len(ENGLISH)
    assert gender_of(audio) == "male"
    assert word_error_rate(ENGLISH, heard(listener, audio, "en")) <= 0.2
    # admitted, timed and logged like voxhub's own routes
    stats = (await client.get("/v1/stats")).json()
    assert stats["admission"]["short"]["total"] == 1
    metrics = (await client.get("/metrics")).text
    assert 'route="/tts/online",status="200"' in metrics


async def test_generic_names_mean_a_voice_of_that_gender_on_every_route(
    client: httpx.AsyncClient, listener: Transcriber
) -> None:
    names = {"female": "female", "Female": "female", "女": "female", "女声": "female"}
    names |= {"male": "male", "男": "male", "男声": "male", "男性": "male"}
    genders = await _engine_genders(client)
    for name, gender in names.items():
        for text in (ENGLISH, CHINESE):
            canonical = await client.post("/v1/tts/jobs", json={"text": text, "voice": name})
            compat = await client.post("/tts/long/submit", json={"text": text, "character": name})
            assert canonical.status_code == 202 and compat.status_code == 200, compat.text
            voices = {canonical.json()["voice"], compat.json()["voice"]}
            assert {genders[v] for v in voices} == {gender}, (name, text, voices)
    spoken = await client.post("/v1/tts", json={"text": CHINESE, "voice": "female"})
    assert spoken.status_code == 200, spoken.text
    audio = (await client.get(spoken.json()["audio_url"])).content
    assert gender_of(audio) == "female"
    assert character_error_rate(CHINESE, heard(listener, audio, "zh")) <= 0.35


async def test_a_registered_alias_wins_over_a_generic_name(client: httpx.AsyncClient) -> None:
    form = {"name": "House voice", "engine_voice": "espeak:en-us", "aliases": "female"}
    registered = await client.post("/v1/voices", data=form)
    assert registered.status_code == 201, registered.text
    voice_id = registered.json()["id"]
    answer = await online(client, text="Hello there.", character="female")
    # the registered voice speaks with its engine voice, not kokoro's female one
    assert answer["voice"] == "espeak:en-us"
    listed = (await client.get("/voices")).json()
    assert listed["details"]["female"]["kind"] == "registered"
    assert listed["details"]["female"]["id"] == voice_id
    assert {voice_id, "male", "男声"} <= set(listed["voices"])


async def _engine_genders(client: httpx.AsyncClient) -> dict[str, str | None]:
    listed = (await client.get("/voices")).json()
    return {k: d["gender"] for k, d in listed["details"].items() if d["kind"] == "engine"}


@pytest.fixture
async def espeak_default_client(
    tmp_path: Path, engine_pool: EnginePool
) -> AsyncIterator[httpx.AsyncClient]:
    settings = compat_settings(tmp_path, default="espeak")
    async with _client_of(settings, Container.build(settings, engine_pool)) as client:
        yield client


async def test_another_engine_speaks_a_gender_the_default_engine_lacks(
    espeak_default_client: httpx.AsyncClient,
) -> None:
    client = espeak_default_client
    female = await client.post("/tts/long/submit", json={"text": ENGLISH, "character": "female"})
    male = await client.post("/tts/long/submit", json={"text": ENGLISH, "character": "male"})
    # espeak's voices are all male: kokoro has the female one
    assert (female.json()["voice"], male.json()["voice"]) == ("kokoro:jf_alpha", "espeak:en-us")
    meaning = (await client.get("/voices")).json()["details"]["女声"]["resolves_to"]
    assert meaning == {"en": "kokoro:jf_alpha", "zh": "kokoro:jf_alpha"}


async def test_without_a_voice_of_that_gender_the_default_voice_speaks(tmp_path: Path) -> None:
    settings = compat_settings(tmp_path, default="espeak", enabled=["espeak"])
    pool = EnginePool(EngineOptions(threads=1), enabled=["espeak"])
    async with _client_of(settings, Container.build(settings, pool)) as client:
        answer = await online(client, text="Hello there.", character="female")
        assert answer["voice"] == "espeak:en-us"
        chinese = await online(client, text="你好。", character="女声")
        assert chinese["voice"] == "espeak:cmn"


async def test_voices_lists_every_character(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/voices")).json()
    assert listed["total"] == len(listed["voices"]) == len(listed["details"])
    assert {"female", "male", "女声", "男声", "kokoro:jm_kumo", "espeak:cmn"} <= set(
        listed["voices"]
    )
    assert listed["details"]["male"]["resolves_to"] == {
        "en": "kokoro:jm_kumo",
        "zh": "kokoro:jm_kumo",
    }
    assert listed["details"]["kokoro:jf_alpha"]["gender"] == "female"
    assert listed["defaults"] == {"en": "kokoro:jm_kumo", "zh": "kokoro:jm_kumo"}


async def test_errors_are_fastapi_detail_bodies(client: httpx.AsyncClient) -> None:
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", "/tts/online", {"text": "  "}, 422, "empty"),
        ("POST", "/tts/online", {"text": "字" * 301}, 413, "/tts/long/submit"),
        ("POST", "/tts/online", {"text": "hi", "character": "nobody"}, 404, "nobody"),
        ("POST", "/tts/online", {"text": "hi", "speed": 9}, 422, "speed"),
        ("POST", "/tts/online", {"character": "female"}, 422, "text"),
        ("POST", "/tts/long/submit", {"text": "a" * 50_001}, 413, "50,000"),
        ("GET", "/tts/long/status/0123456789abcdef0123456789abcdef", {}, 404, "No job"),
        ("POST", "/tts/long/cancel/unknown", {}, 404, "No job"),
    ]
    for method, path, body, status, words in cases:
        response = await client.request(method, path, json=body or None)
        assert response.status_code == status, (path, body, response.text)
        detail = response.json()
        assert set(detail) == {"detail"} and words in detail["detail"], detail


async def test_the_audio_can_stay_out_of_the_answer(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    settings = compat_settings(tmp_path, default="espeak", indextts_inline_audio=False)
    async with _client_of(settings, Container.build(settings, engine_pool)) as client:
        answer = await online(client, text="Hello there.", character="espeak:en-us")
        assert answer["audio_base64"] is None
        assert (await client.get(answer["audio_url"])).content[:4] == b"RIFF"


@asynccontextmanager
async def _client_of(settings: Settings, container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process app on `container`, with its lifespan, and a client of it."""
    app = create_app(settings, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            yield c


# -- long-text tasks, with a real worker process --


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobStack]:
    env = {"VOXHUB_WEBHOOKS__ALLOW_HOSTS": '["127.0.0.1"]'}
    with running_stack("indextts", tmp_path_factory.mktemp("indextts"), extra_env=env) as stack:
        yield stack


@pytest.fixture
def api(stack: JobStack) -> Iterator[httpx.Client]:
    stack.plan_faults()
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def poll(api: httpx.Client, task_id: str, until: set[str], timeout: float = 240) -> list[str]:
    """Status words seen, polling as an IndexTTS client does, until one in `until`."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api.get(f"/tts/long/status/{task_id}")
        assert response.status_code == 200, response.text
        status = response.json()["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in until:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} still {seen[-1]} after {timeout} s")


def test_the_documented_long_text_flow(api: httpx.Client, listener: Transcriber) -> None:
    with callback_receiver() as (callback_url, callbacks):
        body = {
            "text": LONG_ENGLISH,
            "character": "male",
            "speed": 1.0,
            "temperature": 0.3,
            "top_p": 0.7,
            "top_k": 20,
            "callback_url": callback_url,
        }
        submitted = api.post("/tts/long/submit", json=body)
        assert submitted.status_code == 200, submitted.text
        task = submitted.json()
        assert task["status"] == "pending" and task["text_length"] == len(LONG_ENGLISH)
        assert task["character"] == "male" and task["voice"] == "espeak:en-us"
        seen = poll(api, task["task_id"], {"completed", "failed"})
        assert seen[-1] == "completed" and set(seen) <= {"pending", "processing", "completed"}
        status = api.get(f"/tts/long/status/{task['task_id']}").json()
        deadline = time.monotonic() + 30
        while not callbacks and time.monotonic() < deadline:
            time.sleep(0.2)
    assert set(status) >= TASK_FIELDS
    assert status["task_type"] == "long_text" and status["progress"] == 100.0
    assert (status["voice"], status["character"]) == ("espeak:en-us", "male")
    assert status["retry_count"] == 0
    assert status["error_message"] is None and status["callback_url"] == callback_url
    assert {k: status["payload"][k] for k in ("speed", "temperature", "top_p", "top_k")} == {
        "speed": 1.0,
        "temperature": 0.3,
        "top_p": 0.7,
        "top_k": 20,
    }
    assert status["created_at"] <= status["started_at"] <= status["completed_at"]
    audio = api.get(status["audio_url"])
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    cues = parse_srt(status["srt_content"])
    assert cues[-1].end == pytest.approx(status["result"]["duration"], abs=0.05)
    assert api.get(status["srt_url"]).text == status["srt_content"]
    assert word_error_rate(LONG_ENGLISH, heard(listener, audio.content, "en")) <= 0.25
    assert callbacks and callbacks[-1]["job"]["id"] == task["task_id"]


def test_a_failing_task_is_failed_then_retried_to_completion(
    stack: JobStack, api: httpx.Client
) -> None:
    stack.plan_faults(fail_on="broken", times=-1)
    text = "This part works. This broken part fails every time."
    task = api.post("/tts/long/submit", json={"text": text, "character": "fake:a"}).json()
    assert poll(api, task["task_id"], {"completed", "failed"})[-1] == "failed"
    failed = api.get(f"/tts/long/status/{task['task_id']}").json()
    assert "broken" in failed["error_message"] and failed["audio_url"] is None
    # two automatic retries (VOXHUB_JOBS__MAX_RETRIES=2) before it gave up
    assert failed["retry_count"] == 2 and failed["completed_at"] is not None
    stack.plan_faults()
    retried = api.post(f"/tts/long/retry/{task['task_id']}")
    assert retried.status_code == 200 and retried.json()["status"] in STATUS_WORDS
    assert poll(api, task["task_id"], {"completed", "failed"})[-1] == "completed"
    done = api.get(f"/tts/long/status/{task['task_id']}").json()
    assert done["retry_count"] == 1 and done["error_message"] is None


def test_a_cancelled_task_says_cancelled(stack: JobStack, api: httpx.Client) -> None:
    stack.plan_faults(delay_per_char=0.05)
    text = " ".join(f"Sentence {n} takes a while to say." for n in range(30))
    task = api.post("/tts/long/submit", json={"text": text, "character": "fake:a"}).json()
    cancelled = api.post(f"/tts/long/cancel/{task['task_id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert poll(api, task["task_id"], {"cancelled"}) == ["cancelled"]
    again = api.post(f"/tts/long/cancel/{task['task_id']}")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
