"""The cloning backend's API, called as its document shows, against a real uvicorn and a
real worker process: tasks, retry, status, events read by an SSE client, system facts."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from tests.support.cloning import SITE_HOST, TemplateSite, events, update_of
from tests.support.jobstack import JobStack, running_stack, submit, wait_for
from tests.support.remote_server import RemoteServer
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.api.app import create_app
from voxhub.audio.formats import AudioFormat
from voxhub.container import Container
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import CompatSettings, EngineSettings, Settings, WebhookSettings

SPOKEN = "The weather is nice today and we will go to the park."
CLONED = "Good evening. This is the cloned voice speaking."
# the fake engine fails on text holding this, while the fault plan says so
UNLUCKY = "UNLUCKY"
STARTED = "Audio generation started"


@pytest.fixture(scope="module")
def remote() -> Iterator[RemoteServer]:
    with RemoteServer().running() as running:
        yield running


@pytest.fixture(scope="module")
def reference_mp3(engine_pool: EnginePool) -> bytes:
    return reference_wav(engine_pool, fmt=AudioFormat.MP3)


@pytest.fixture(scope="module")
def site(reference_mp3: bytes) -> Iterator[TemplateSite]:
    with TemplateSite({"template1": (reference_mp3, TRANSCRIPT)}).running() as running:
        yield running


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, remote: RemoteServer, site: TemplateSite
) -> Iterator[JobStack]:
    env = {
        "VOXHUB_ENGINES__ENABLED": '["espeak","fake","remote"]',
        "VOXHUB_ENGINES__REMOTE__BASE_URL": remote.url,
        "VOXHUB_ENGINES__REMOTE__TOKEN": remote.token,
        "VOXHUB_ENGINES__REMOTE__MODEL": "voxhub/cloner",
        "VOXHUB_ENGINES__REMOTE__POLL_INTERVAL": "0.02",
        "VOXHUB_COMPAT__CLONING_TEMPLATE_URL": site.url,
        "VOXHUB_COMPAT__CLONING_WAIT": "60",
        "VOXHUB_WEBHOOKS__ALLOW_HOSTS": json.dumps([SITE_HOST]),
        "VOXHUB_EVENTS__HEARTBEAT": "0.5",
        "VOXHUB_EVENTS__POLL_INTERVAL": "0.1",
        # a failing task retries after 1 s, then 3 s: time to watch it fail
        "VOXHUB_JOBS__RETRY_INITIAL": "1",
    }
    with running_stack("cloning", tmp_path_factory.mktemp("cloning"), extra_env=env) as running:
        # the worker is up before any test: answers then depend on the task alone
        with httpx.Client(base_url=running.url, timeout=30) as client:
            warm = submit(client, "Ready.", voice="espeak:en-us")
            assert wait_for(client, warm["id"], timeout=180)["status"] == "succeeded"
        yield running


@pytest.fixture
def api(stack: JobStack) -> Iterator[httpx.Client]:
    stack.plan_faults()
    with httpx.Client(base_url=stack.url, timeout=90) as client:
        yield client


def _alias(api: httpx.Client, alias: str, engine_voice: str) -> None:
    """An engine voice registered under a template id, as an operator does when migrating."""
    response = api.post(
        "/v1/voices", data={"name": alias, "engine_voice": engine_voice, "aliases": alias}
    )
    assert response.status_code == 201, response.text


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "data"} and body["success"] is True, body
    data: dict[str, Any] = body["data"]
    return data


def _refused(response: httpx.Response, status: int, task_id: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    expected = {"success", "error"} | ({"taskId"} if task_id else set())
    assert set(body) == expected and body["success"] is False, body
    assert task_id is None or body["taskId"] == task_id
    message: str = body["error"]
    assert message
    return message


def _instant(value: str) -> datetime:
    # as JavaScript's Date.toISOString() writes it
    assert value.endswith("Z") and len(value) == len("2024-01-01T00:00:00.000Z"), value
    return datetime.fromisoformat(value)


def test_a_template_aliasing_an_engine_voice_speaks_what_was_asked(api: httpx.Client) -> None:
    _alias(api, "narrator", "espeak:en-us")
    request = {"templateId": "narrator", "tts_text": SPOKEN, "instruction": "开心地"}
    data = _ok(api.post("/api/tts", json=request))
    assert set(data) == {"taskId", "audio_url", "status"} and data["status"] == "succeeded"

    audio = api.get(data["audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"].startswith("audio/wav")
    heard = api.post(
        "/v1/asr/transcriptions",
        data={"engine": "whisper", "language": "en"},
        files={"file": ("speech.wav", audio.content)},
    )
    assert heard.status_code == 200, heard.text
    assert word_error_rate(SPOKEN, heard.json()["text"]) <= 0.2, heard.json()["text"]

    task = _ok(api.get(f"/api/tts/task/{data['taskId']}"))
    assert task == {
        "taskId": data["taskId"],
        "status": "succeeded",
        "templateId": "narrator",
        "ttsText": SPOKEN,
        "audioUrl": data["audio_url"],
        "createdAt": task["createdAt"],
        "completedAt": task["completedAt"],
        "error": None,
    }
    assert _instant(task["createdAt"]) <= _instant(task["completedAt"])


def test_a_template_from_the_site_is_fetched_once_and_cloned(
    api: httpx.Client, remote: RemoteServer, site: TemplateSite, reference_mp3: bytes
) -> None:
    before = len(remote.creations())
    request = {"templateId": "template1", "tts_text": CLONED, "instruction": "Read calmly."}
    first = _ok(api.post("/api/tts", json=request))
    assert first["status"] == "succeeded"
    assert sorted(p for p in site.requested if "/template1/" in p) == [
        "/templates/template1/source_audio.mp3",
        "/templates/template1/source_transcript.txt",
    ]
    sent = [c.body["input"] for c in remote.creations()[before:]]
    assert [s["tts_text"] for s in sent] == ["Good evening.", "This is the cloned voice speaking."]
    for inputs in sent:
        media, _, encoded = inputs["source_audio"].partition(",")
        assert media == "data:audio/mpeg;base64" and base64.b64decode(encoded) == reference_mp3
        assert inputs["source_transcript"] == TRANSCRIPT
        assert inputs["instruction"] == "Read calmly."
    # the stand-in answers a tone of 50 ms per character it was sent
    wav = api.get(first["audio_url"]).content
    seconds = sf.info(io.BytesIO(wav)).duration
    assert seconds == pytest.approx(0.05 * sum(len(s["tts_text"]) for s in sent), abs=0.6)

    again = _ok(api.post("/api/tts", json={"templateId": "template1", "tts_text": "Once more."}))
    assert again["status"] == "succeeded" and again["taskId"] != first["taskId"]
    fetched = [path for path in site.requested if "/template1/" in path]
    assert len(fetched) == 2, "a fetched template is kept, not fetched again"
    voices = api.get("/v1/voices", params={"engine": "remote"}).json()["voices"]
    assert [v["aliases"] for v in voices if v["kind"] == "registered"] == [["template1"]]


def test_bad_requests_and_unknown_things_answer_in_the_envelope(api: httpx.Client) -> None:
    assert "templateId" in _refused(api.post("/api/tts", json={"tts_text": "Hi."}), 422)
    empty = api.post("/api/tts", json={"templateId": "narrator", "tts_text": "  "})
    assert "tts_text" in _refused(empty, 422)
    missing = api.post("/api/tts", json={"templateId": "nowhere", "tts_text": "Hi."})
    assert "/templates/nowhere/source_audio.mp3" in _refused(missing, 422)
    odd = api.post("/api/tts", json={"templateId": "a:b", "tts_text": "Hi."})
    assert "':'" in _refused(odd, 422)
    unknown = api.get("/api/tts/task/0123456789abcdef")
    assert "No task" in _refused(unknown, 404, task_id="0123456789abcdef")
    no_stream = api.get("/events", params={"taskId": "0123456789abcdef"})
    _refused(no_stream, 404, task_id="0123456789abcdef")
    assert "taskId" in _refused(api.post("/api/tts/retry", json={}), 422)


def test_a_failing_task_is_followed_over_sse_through_its_retry(
    stack: JobStack, api: httpx.Client
) -> None:
    _alias(api, "flaky", "fake:a")
    stack.plan_faults(fail_on=UNLUCKY, times=-1)
    text = f"An {UNLUCKY} sentence for the cloned voice."
    request = {"templateId": "flaky", "tts_text": text}
    # its first attempt fails: the answer comes at once, and the rest over events
    started = _ok(api.post("/api/tts", json=request))
    task_id = started["taskId"]
    assert started == {"taskId": task_id, "message": STARTED, "status": "started"}

    with events(api, f"/events?taskId={task_id}") as stream:
        connected = stream.next()
        assert connected.name == "connected" and connected.id is None
        assert connected.data["clientId"] and connected.data["taskId"] == task_id
        current = stream.next()
        assert current.name == "task_update" and current.data["templateId"] == "flaky"
        if current.data["status"] != "failed":
            stream.until(update_of(task_id, "failed"))
        failed = _ok(api.get(f"/api/tts/task/{task_id}"))
        assert failed["status"] == "failed" and UNLUCKY in failed["error"]
        assert failed["audioUrl"] is None and failed["completedAt"] is not None

        stack.plan_faults()
        retried = api.post("/api/tts/retry", json={"taskId": task_id, **request})
        assert _ok(retried) == {"taskId": task_id, "message": "Retry initiated successfully"}
        done = stream.until(update_of(task_id, "succeeded"))[-1]
        # the stream stays open after the end, as the backend's did: heartbeats follow
        assert stream.until(lambda e: e.name == "heartbeat")[-1].data["timestamp"]

    updates = [e for e in stream.seen if e.name == "task_update"]
    statuses = [e.data["status"] for e in updates]
    assert {"retrying", "failed", "queued", "processing", "succeeded"} <= set(statuses)
    assert statuses.index("failed") < statuses.index("queued", statuses.index("failed"))
    assert all(e.data["taskId"] == task_id for e in updates)
    ids = [int(e.id or 0) for e in updates]
    assert ids == sorted(set(ids)), "event ids strictly increase"
    assert done.data["audioUrl"] == _ok(api.get(f"/api/tts/task/{task_id}"))["audioUrl"]
    assert api.get(done.data["audioUrl"]).status_code == 200

    # an EventSource reconnecting after the failure gets what followed it, and nothing before
    failed_at = next(e for e in updates if e.data["status"] == "failed")
    with events(api, f"/events?taskId={task_id}", last_event_id=failed_at.id) as resumed:
        assert resumed.next().name == "connected"
        replay = resumed.until(update_of(task_id, "succeeded"))
    after = int(failed_at.id or 0)
    replayed = [e.id for e in replay if e.name == "task_update"]
    assert replayed == [e.id for e in updates if int(e.id or 0) > after]

    again = api.post("/api/tts/retry", json={"taskId": task_id})
    assert "only a failed task" in _refused(again, 409, task_id=task_id)
    other = api.post("/api/tts/retry", json={"taskId": task_id, "tts_text": "Other words."})
    assert "other text" in _refused(other, 422, task_id=task_id)


def test_a_task_cancelled_while_its_answer_waits_is_answered_as_failed(
    stack: JobStack, api: httpx.Client
) -> None:
    _alias(api, "slow", "fake:a")
    stack.plan_faults(delay_per_char=0.02)
    text = " ".join(f"Sentence {n} of a slow task." for n in range(20))
    with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=stack.url, timeout=90) as other:
        answer = pool.submit(other.post, "/api/tts", json={"templateId": "slow", "tts_text": text})
        task_id = _running_job(api)
        assert api.post(f"/v1/tts/jobs/{task_id}/cancel").status_code == 200
        response = answer.result(timeout=90)
    assert "cancelled" in _refused(response, 409, task_id=task_id)
    task = _ok(api.get(f"/api/tts/task/{task_id}"))
    assert task["status"] == "failed" and task["error"] == "The task was cancelled."


def _running_job(api: httpx.Client, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = api.get("/v1/tts/jobs", params={"status": "running"}).json()["jobs"]
        if running:
            job_id: str = running[0]["id"]
            return job_id
        time.sleep(0.05)
    raise AssertionError(f"no job started running within {timeout} s")


def test_the_stream_of_every_task_carries_new_tasks(api: httpx.Client) -> None:
    _alias(api, "reader", "espeak:en-us")
    with events(api, "/events") as stream:
        connected = stream.next()
        assert connected.name == "connected" and connected.data["taskId"] is None
        task = _ok(api.post("/api/tts", json={"templateId": "reader", "tts_text": "Hello."}))
        seen = stream.until(update_of(task["taskId"], "succeeded"))
    mine = [e.data["status"] for e in seen if e.data.get("taskId") == task["taskId"]]
    assert mine[0] == "queued" and mine[-1] == "succeeded"
    assert seen[-1].data["audioUrl"] == task["audio_url"]


def test_system_facts_in_the_envelope(api: httpx.Client) -> None:
    facts = _ok(api.get("/system"))
    assert facts["cpu"]["count"] >= 1 and facts["memory"]["total_mb"] > 0
    assert "espeak" in facts["engines"]


@asynccontextmanager
async def _local_app(
    tmp_path: Path, site_url: str, allow: list[str]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process with espeak alone (no engine that clones) and no job workers."""
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=["espeak"]),
        compat=CompatSettings(cloning_template_url=site_url, cloning_wait=0),
        webhooks=WebhookSettings(allow_hosts=allow),
    )
    pool = EnginePool(EngineOptions(threads=1), enabled=["espeak"])
    application = create_app(settings, Container.build(settings, pool))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            yield c


async def test_templates_need_a_registered_voice_a_site_or_an_engine_that_clones(
    tmp_path: Path, site: TemplateSite, reference_mp3: bytes
) -> None:
    site.templates["template2"] = (reference_mp3, TRANSCRIPT)
    request = {"templateId": "template2", "tts_text": "Hello."}
    async with _local_app(tmp_path / "no-site", "", []) as api:
        unknown = await api.post("/api/tts", json=request)
        assert "VOXHUB_COMPAT__CLONING_TEMPLATE_URL" in _refused(unknown, 404)
    async with _local_app(tmp_path / "refused", site.url, []) as api:
        refused = await api.post("/api/tts", json=request)
        assert "VOXHUB_WEBHOOKS__ALLOW_HOSTS" in _refused(refused, 422)
    assert not [p for p in site.requested if "/template2/" in p], "a refused host is not called"
    async with _local_app(tmp_path / "espeak", site.url, [SITE_HOST]) as api:
        # fetched, but never spoken by a stock voice in its place
        cannot = await api.post("/api/tts", json=request)
        assert "can clone" in _refused(cannot, 422)


async def test_a_numeric_template_id_and_no_wait_answer_started_at_once(tmp_path: Path) -> None:
    async with _local_app(tmp_path, "", []) as api:
        voice = {"name": "Reader", "engine_voice": "espeak:en-us", "aliases": "1001"}
        assert (await api.post("/v1/voices", data=voice)).status_code == 201
        answer = await api.post("/api/tts", json={"templateId": 1001, "tts_text": "Hello."})
        data = _ok(answer)
        assert data == {"taskId": data["taskId"], "message": STARTED, "status": "started"}
        task = _ok(await api.get(f"/api/tts/task/{data['taskId']}"))
        assert task["status"] == "queued" and task["templateId"] == "1001"
        assert task["audioUrl"] is None and task["completedAt"] is None
        not_json = await api.post("/api/tts", content=b"templateId=1", headers=_FORM)
        _refused(not_json, 422)
        bad_resume = await api.get("/events", headers={"Last-Event-ID": "later"})
        assert "Last-Event-ID" in _refused(bad_resume, 422)


_FORM = {"content-type": "application/x-www-form-urlencoded"}
