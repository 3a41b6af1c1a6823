"""Tenants with keys on: another tenant's jobs, events, downloads, webhooks and voices answer
404 on every route that reads or changes them; an administrator's key reaches all of them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.services.auth.keys import KeySpec
from voxhub.services.voices.registry import VoiceDraft
from voxhub.settings import CompatSettings, WebhookSettings
from voxhub.settings.auth import AuthSettings

pytestmark = pytest.mark.asyncio(loop_scope="session")

SPEECH = {"text": "Hello from a tenant. It has two sentences.", "voice": "espeak:en-us"}


@dataclass
class Tenants:
    url: str
    container: Container
    keys: dict[str, str]
    job: str = ""
    voice: str = ""
    audio: str = ""

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[Tenants]:
    base = asr_settings(tmp_path_factory.mktemp("tenants"))
    settings = base.model_copy(
        update={
            "auth": AuthSettings(mode="keys"),
            "webhooks": WebhookSettings(allow_hosts=["127.0.0.1"]),
            # no worker runs here: the cloning route answers `started` at once
            "compat": CompatSettings(cloning_wait=0),
        }
    )
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        ring = container.gate.keys
        keys = {
            name: ring.create(KeySpec(name, admin=name == "root"))[1]
            for name in ("alice", "bob", "root")
        }
        yield Tenants(url, container, keys)


@pytest.fixture(scope="module")
async def owned(tenants: Tenants) -> Tenants:
    """Alice's job (queued: no worker runs here), voice and online audio."""
    async with httpx.AsyncClient(base_url=tenants.url, headers=tenants.headers("alice")) as http:
        job = await http.post(
            "/v1/tts/jobs", json={**SPEECH, "callback_url": "http://127.0.0.1:9/hook"}
        )
        assert job.status_code == 202, job.text
        voice = await http.post(
            "/v1/voices",
            data={"name": "Alice", "engine_voice": "espeak:en-us", "aliases": "alice-voice"},
        )
        assert voice.status_code == 201, voice.text
        assert voice.json()["owner"] == "alice"
        spoken = await http.post("/v1/tts", json=SPEECH)
        assert spoken.status_code == 200, spoken.text
    tenants.job, tenants.voice = job.json()["id"], voice.json()["id"]
    tenants.audio = httpx.URL(spoken.json()["audio_url"]).path
    return tenants


def reads(t: Tenants) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route that reads one of alice's things: (method, path, request options)."""
    job, voice = t.job, t.voice
    return [
        ("GET", f"/v1/tts/jobs/{job}", {}),
        ("GET", f"/v1/tts/jobs/{job}/audio", {}),
        ("GET", f"/v1/tts/jobs/{job}/subtitles.srt", {}),
        ("GET", f"/v1/tts/jobs/{job}/subtitles.vtt", {}),
        ("GET", f"/v1/tts/jobs/{job}/timings.json", {}),
        ("GET", f"/v1/tts/jobs/{job}/events", {}),
        ("GET", "/v1/events", {"params": {"job_id": job}}),
        ("GET", t.audio, {}),
        ("GET", f"/v1/voices/{voice}", {}),
        ("GET", "/v1/voices/alice-voice", {}),
        ("GET", f"/v1/voices/{voice}/sample", {}),
        ("GET", f"/tts/long/status/{job}", {}),
        ("GET", f"/api/tts/task/{job}", {}),
        ("GET", "/events", {"params": {"taskId": job}}),
        ("GET", "/api/v1/prompts/alice-voice", {}),
        ("POST", "/v1/tts", {"json": {"text": "Hi.", "voice": "alice-voice"}}),
        ("POST", "/v1/audio/speech", {"json": {"model": "tts-1", "input": "Hi.", "voice": voice}}),
        ("POST", "/tts/online", {"json": {"text": "Hi.", "character": "alice-voice"}}),
        ("POST", "/api/v1/tts", {"data": {"input_text": "Hi.", "index": "alice-voice"}}),
        ("POST", "/api/tts", {"json": {"templateId": "alice-voice", "tts_text": "Hi."}}),
        ("POST", "/v1/tts/jobs", {"json": {"text": "Hi.", "voice": voice}}),
    ]


def changes(t: Tenants) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route that changes one of alice's things."""
    job, voice = t.job, t.voice
    return [
        ("POST", f"/v1/tts/jobs/{job}/cancel", {}),
        ("POST", f"/v1/tts/jobs/{job}/retry", {}),
        ("POST", f"/tts/long/cancel/{job}", {}),
        ("POST", f"/tts/long/retry/{job}", {}),
        ("POST", "/api/tts/retry", {"json": {"taskId": job}}),
        ("PATCH", f"/v1/voices/{voice}", {"json": {"name": "Taken"}}),
        ("DELETE", f"/v1/voices/{voice}", {}),
    ]


async def _call(
    t: Tenants, who: str, method: str, path: str, options: dict[str, Any]
) -> httpx.Response:
    # streams (SSE) are refused before they start, or their first bytes say enough
    async with (
        httpx.AsyncClient(base_url=t.url, headers=t.headers(who), timeout=60) as http,
        http.stream(method, path, **options) as response,
    ):
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            await response.aread()
        return response


async def test_another_tenant_gets_404_on_every_read_and_the_owner_and_admin_do_not(
    owned: Tenants,
) -> None:
    for method, path, options in reads(owned):
        other = await _call(owned, "bob", method, path, options)
        assert other.status_code == 404, (method, path, other.text)
        for who in ("alice", "root"):
            allowed = await _call(owned, who, method, path, options)
            # a queued job's files answer 409 (not ready yet): the job itself was found
            assert allowed.status_code in (200, 201, 202, 409), (who, method, path, allowed.text)


async def test_another_tenant_cannot_change_anything_and_nothing_changed(owned: Tenants) -> None:
    for method, path, options in changes(owned):
        refused = await _call(owned, "bob", method, path, options)
        assert refused.status_code == 404, (method, path, refused.text)
    job = await _call(owned, "alice", "GET", f"/v1/tts/jobs/{owned.job}", {})
    assert job.json()["status"] == "queued"
    assert job.json()["webhooks"] == []
    voice = await _call(owned, "alice", "GET", f"/v1/voices/{owned.voice}", {})
    assert voice.json()["name"] == "Alice"
    # the owner's own changes go through
    renamed = await _call(
        owned, "alice", "PATCH", f"/v1/voices/{owned.voice}", changes(owned)[5][2]
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Taken"


async def test_lists_show_each_tenant_its_own_and_an_admin_everything(owned: Tenants) -> None:
    bob_job = await _call(owned, "bob", "POST", "/v1/tts/jobs", {"json": SPEECH})
    assert bob_job.status_code == 202

    async def listed(who: str, path: str, field: str) -> set[str]:
        body = (await _call(owned, who, "GET", path, {})).json()
        return {item["id"] for item in body[field]}

    alice_jobs = await listed("alice", "/v1/tts/jobs", "jobs")
    bob_jobs = await listed("bob", "/v1/tts/jobs", "jobs")
    assert owned.job in alice_jobs and owned.job not in bob_jobs
    assert bob_job.json()["id"] in bob_jobs and bob_job.json()["id"] not in alice_jobs
    assert alice_jobs | bob_jobs <= await listed("root", "/v1/tts/jobs", "jobs")
    bob_voices = await listed("bob", "/v1/voices", "voices")
    assert owned.voice not in bob_voices and "espeak:en-us" in bob_voices
    assert owned.voice in await listed("root", "/v1/voices", "voices")
    indextts = (await _call(owned, "bob", "GET", "/voices", {})).json()["voices"]
    assert "alice-voice" not in indextts
    prompts = (await _call(owned, "bob", "GET", "/api/v1/prompts", {})).json()["prompts"]
    assert all(p["index"] != "alice-voice" for p in prompts)


async def _events(t: Tenants, who: str, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The first `count` events of `who`'s stream of every job."""
    found: list[tuple[str, dict[str, Any]]] = []
    async with (
        httpx.AsyncClient(base_url=t.url, headers=t.headers(who), timeout=30) as http,
        http.stream("GET", "/v1/events") as response,
    ):
        assert response.status_code == 200
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind != "heartbeat":
                found.append((kind, json.loads(line.removeprefix("data: "))))
                if len(found) == count:
                    return found
    return found


async def test_the_stream_of_every_job_shows_only_the_callers_jobs(owned: Tenants) -> None:
    async def submit(who: str) -> str:
        response = await _call(owned, who, "POST", "/v1/tts/jobs", {"json": SPEECH})
        return str(response.json()["id"])

    listening = asyncio.create_task(_events(owned, "alice", 2))
    await asyncio.sleep(1.0)
    # bob's job is recorded first: a stream that leaked it would show it before alice's
    await submit("bob")
    mine = await submit("alice")
    (snapshot_kind, snapshot), (kind, event) = await asyncio.wait_for(listening, 20)
    assert snapshot_kind == "snapshot"
    owners = {job["id"] for job in snapshot["jobs"]}
    assert owned.job in owners
    listed = (await _call(owned, "bob", "GET", "/v1/tts/jobs", {})).json()["jobs"]
    assert owners.isdisjoint(job["id"] for job in listed)
    assert (kind, event["job_id"]) == ("status", mine)


async def test_voices_without_an_owner_are_shared_and_only_admins_change_them(
    tenants: Tenants,
) -> None:
    shared = tenants.container.voice_registry.register(
        VoiceDraft(name="House", engine_voice="espeak:en-gb", aliases=("house",)), None
    )
    spoken = await _call(
        tenants, "bob", "POST", "/v1/tts", {"json": {"text": "Hi.", "voice": "house"}}
    )
    assert spoken.status_code == 200 and spoken.json()["voice"] == "espeak:en-gb"
    assert (await _call(tenants, "bob", "GET", f"/v1/voices/{shared.id}", {})).status_code == 200
    rename = {"json": {"name": "Mine now"}}
    refused = await _call(tenants, "bob", "PATCH", f"/v1/voices/{shared.id}", rename)
    assert refused.status_code == 403 and "administrator" in refused.text
    assert (await _call(tenants, "bob", "DELETE", f"/v1/voices/{shared.id}", {})).status_code == 403
    renamed = await _call(tenants, "root", "PATCH", f"/v1/voices/{shared.id}", rename)
    assert renamed.status_code == 200
