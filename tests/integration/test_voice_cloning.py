"""Cloning templates end to end: registered by upload or URL, spoken by the remote engine
against a local Replicate-style server, refused where they cannot be honoured."""

from __future__ import annotations

import base64
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jobstack import running_stack, submit, wait_for
from tests.support.remote_server import RemoteServer
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.settings import (
    EngineSettings,
    RemoteEngineSettings,
    Settings,
    WebhookSettings,
)

FILE_HOST = "127.0.0.4"
NAMES = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
]
TEXT = "Good evening. This is the cloned voice speaking."


@pytest.fixture
def remote() -> Iterator[RemoteServer]:
    with RemoteServer().running() as running:
        yield running


@pytest.fixture
def reference(engine_pool: EnginePool) -> bytes:
    return reference_wav(engine_pool)


@pytest.fixture
def file_server(reference: bytes) -> Iterator[str]:
    class Files(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(reference)))
            self.end_headers()
            self.wfile.write(reference)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((FILE_HOST, 0), Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{FILE_HOST}:{server.server_address[1]}/voice.wav"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def api(tmp_path: Path, remote: RemoteServer) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(
            default="espeak",
            preload=["espeak"],
            enabled=["espeak", "remote"],
            remote=RemoteEngineSettings(
                base_url=remote.url,
                token=remote.token,
                model="voxhub/cloner",
                languages=["en", "zh"],
                poll_interval=0.02,
            ),
        ),
        # no workers here: a submitted job stays queued
        webhooks=WebhookSettings(allow_hosts=[FILE_HOST]),
    )
    application = create_app(settings, Container.build(settings))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            yield c


async def _template(api: httpx.AsyncClient, reference: bytes, **fields: Any) -> dict[str, Any]:
    response = await api.post(
        "/v1/voices",
        data={"name": "Reader", "transcript": TRANSCRIPT, **fields},
        files={"audio": ("reader.wav", reference, "audio/wav")},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _reference_sent(uri: str) -> bytes:
    media, _, encoded = uri.partition(",")
    assert media == "data:audio/wav;base64"
    return base64.b64decode(encoded)


async def test_upload_then_speak_through_the_remote_engine(
    api: httpx.AsyncClient, remote: RemoteServer, reference: bytes
) -> None:
    voice = await _template(
        api, reference, aliases="tpl_1001", instruction="Read calmly.", temperature="0.7"
    )
    # the remote engine is the enabled engine that can clone
    assert voice["engine"] == "remote" and voice["cloning"] and voice["language"] == "en"
    assert voice["reference"]["duration"] > 2.0
    stored = await api.get(voice["reference"]["url"])
    assert stored.content == reference

    spoken = await api.post("/v1/tts", json={"text": TEXT, "voice": "tpl_1001"})
    assert spoken.status_code == 200, spoken.text
    assert spoken.json()["voice"] == voice["id"]
    inputs = [r.body["input"] for r in remote.creations()]
    sentences = ["Good evening.", "This is the cloned voice speaking."]
    assert [i["tts_text"] for i in inputs] == sentences
    for sent in inputs:
        assert _reference_sent(sent["source_audio"]) == reference
        assert sent["source_transcript"] == TRANSCRIPT
        # the voice's defaults fill what the request left out
        assert sent["instruction"] == "Read calmly." and sent["temperature"] == 0.7

    again = await api.post(
        "/v1/tts", json={"text": "Once more.", "voice": voice["id"], "instruction": "Whisper."}
    )
    assert again.status_code == 200, again.text
    assert remote.creations()[-1].body["input"]["instruction"] == "Whisper."


async def test_register_by_url_and_ssrf_refusals(
    api: httpx.AsyncClient, remote: RemoteServer, reference: bytes, file_server: str
) -> None:
    response = await api.post(
        "/v1/voices",
        data={"name": "From URL", "transcript": TRANSCRIPT, "audio_url": file_server},
    )
    assert response.status_code == 201, response.text
    voice = response.json()
    assert (await api.get(voice["reference"]["url"])).content == reference
    for url in ("http://127.0.0.1/x.wav", "http://169.254.169.254/", "http://[::1]/x.wav"):
        refused = await api.post(
            "/v1/voices", data={"name": "x", "transcript": TRANSCRIPT, "audio_url": url}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "callback_url_refused"
    listed = (await api.get("/v1/voices", params={"engine": "remote"})).json()["voices"]
    assert [v["id"] for v in listed if v["kind"] == "registered"] == [voice["id"]]


async def test_a_template_is_never_spoken_by_an_engine_that_cannot_clone(
    api: httpx.AsyncClient, reference: bytes
) -> None:
    refused = await api.post(
        "/v1/voices",
        data={"name": "x", "transcript": TRANSCRIPT, "engine": "espeak"},
        files={"audio": ("x.wav", reference, "audio/wav")},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "cloning_not_supported"
    voice = await _template(api, reference)
    moved = await api.patch(f"/v1/voices/{voice['id']}", json={"engine": "espeak"})
    assert moved.status_code == 422
    assert moved.json()["error"]["code"] == "cloning_not_supported"
    assert (await api.get(f"/v1/voices/{voice['id']}")).json()["engine"] == "remote"
    untranscribed = await api.post(
        "/v1/voices",
        data={"name": "x"},
        files={"audio": ("x.wav", reference, "audio/wav")},
    )
    assert untranscribed.status_code == 422
    assert "transcript" in untranscribed.json()["error"]["message"]


async def test_a_voice_used_by_a_queued_job_cannot_be_deleted(
    api: httpx.AsyncClient, reference: bytes
) -> None:
    voice = await _template(api, reference, aliases="tpl_2002")
    job = await api.post("/v1/tts/jobs", json={"text": TEXT * 3, "voice": "tpl_2002"})
    assert job.status_code == 202, job.text
    refused = await api.delete(f"/v1/voices/{voice['id']}")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "voice_in_use" and job.json()["id"] in error["message"]
    assert (await api.post(f"/v1/tts/jobs/{job.json()['id']}/cancel")).status_code == 200
    assert (await api.delete(f"/v1/voices/{voice['id']}")).status_code == 204
    assert (await api.get("/v1/voices/tpl_2002")).status_code == 404
    assert (await api.get(voice["reference"]["url"])).status_code == 404


def test_a_worker_process_speaks_a_job_with_a_template(
    tmp_path: Path, remote: RemoteServer, reference: bytes
) -> None:
    """The worker finds the template in the shared database and its recording in storage."""
    env = {
        "VOXHUB_ENGINES__ENABLED": '["espeak","remote"]',
        "VOXHUB_ENGINES__REMOTE__BASE_URL": remote.url,
        "VOXHUB_ENGINES__REMOTE__TOKEN": remote.token,
        "VOXHUB_ENGINES__REMOTE__MODEL": "voxhub/cloner",
        "VOXHUB_ENGINES__REMOTE__POLL_INTERVAL": "0.02",
    }
    with (
        running_stack("cloning", tmp_path, extra_env=env) as stack,
        httpx.Client(base_url=stack.url, timeout=30) as api,
    ):
        response = api.post(
            "/v1/voices",
            data={"name": "Reader", "transcript": TRANSCRIPT, "aliases": "tpl_3003"},
            files={"audio": ("reader.wav", reference, "audio/wav")},
        )
        assert response.status_code == 201, response.text
        text = " ".join(f"Sentence {name} is read in the cloned voice." for name in NAMES)
        job = submit(api, text, voice="tpl_3003", format="wav")
        done = wait_for(api, job["id"], timeout=120)
        assert done["status"] == "succeeded", done
        audio = api.get(f"/v1/tts/jobs/{job['id']}/audio")
        assert audio.status_code == 200 and len(audio.content) > 1000
    creations = remote.creations()
    assert len(creations) >= len(NAMES)
    assert all(_reference_sent(c.body["input"]["source_audio"]) == reference for c in creations)
    spoken = " ".join(c.body["input"]["tts_text"] for c in creations)
    assert all(f"Sentence {name} " in spoken for name in NAMES)
