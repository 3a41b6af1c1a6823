"""The voice registry through the API: engine voices with names, aliases and defaults;
reference recordings checked; URLs behind the SSRF guard; engine voices left alone."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import soundfile as sf

from tests.conftest import ENABLED
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.audio.formats import AudioFormat
from voxhub.engines.pool import EnginePool
from voxhub.settings import EngineSettings, Settings, VoiceSettings, WebhookSettings

SENTENCE = "Registered voices keep their own defaults."
FILE_HOST = "127.0.0.3"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=ENABLED),
        voices=VoiceSettings(max_reference_bytes=2_000_000, max_reference_seconds=20.0),
        # the test's file server runs on 127.0.0.3; only it is allowed
        webhooks=WebhookSettings(allow_hosts=[FILE_HOST]),
    )


async def _register(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    files = fields.pop("files", None)
    return await client.post("/v1/voices", data=fields, files=files)


async def test_engine_voice_with_aliases_and_defaults(client: httpx.AsyncClient) -> None:
    response = await _register(
        client,
        name="Narrator",
        engine_voice="espeak:en-us",
        aliases=["narrator", "character-7, tpl_42"],
        speed="1.6",
    )
    assert response.status_code == 201, response.text
    voice = response.json()
    assert voice["kind"] == "registered" and not voice["cloning"]
    assert voice["engine"] == "espeak" and voice["language"] == "en"
    assert voice["aliases"] == ["character-7", "narrator", "tpl_42"]
    assert voice["defaults"]["speed"] == 1.6

    listed = (await client.get("/v1/voices", params={"engine": "espeak"})).json()["voices"]
    assert voice["id"] in [v["id"] for v in listed]
    zh = (await client.get("/v1/voices", params={"language": "zh"})).json()["voices"]
    assert voice["id"] not in [v["id"] for v in zh]
    by_alias = await client.get("/v1/voices/tpl_42")
    assert by_alias.status_code == 200 and by_alias.json()["id"] == voice["id"]

    async def duration(**body: Any) -> float:
        spoken = await client.post("/v1/tts", json={"text": SENTENCE, **body})
        assert spoken.status_code == 200, spoken.text
        return float(spoken.json()["duration"])

    plain = await duration(voice="espeak:en-us")
    # the alias speaks with the voice's default speed; a request's own speed wins over it
    fast = await duration(voice="narrator")
    own = await duration(character="character-7", speed=1.0)
    assert fast < plain * 0.8
    assert abs(own - plain) < 0.05 * plain


async def test_patch_renames_and_aliases_stay_unique(client: httpx.AsyncClient) -> None:
    first = (await _register(client, name="A", engine_voice="espeak:en-us", aliases="first")).json()
    second = (
        await _register(client, name="B", engine_voice="espeak:en-gb", aliases="second")
    ).json()
    taken = await _register(client, name="C", engine_voice="espeak:en-us", aliases="second")
    assert taken.status_code == 409 and "'second'" in taken.json()["error"]["message"]

    patched = await client.patch(
        f"/v1/voices/{first['id']}",
        json={"name": "Anna", "aliases": ["anna", "a2"], "defaults": {"speed": 0.8}},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "Anna" and body["aliases"] == ["a2", "anna"]
    assert body["defaults"]["speed"] == 0.8
    assert (await client.get("/v1/voices/first")).status_code == 404
    clash = await client.patch(f"/v1/voices/{first['id']}", json={"aliases": ["second"]})
    assert clash.status_code == 409
    assert (await client.get("/v1/voices/anna")).json()["id"] == first["id"]

    assert (await client.delete(f"/v1/voices/{second['id']}")).status_code == 204
    assert (await client.get(f"/v1/voices/{second['id']}")).status_code == 404
    assert (await client.get("/v1/voices/second")).status_code == 404


async def test_engine_voices_cannot_be_changed_or_deleted(client: httpx.AsyncClient) -> None:
    for response in (
        await client.patch("/v1/voices/espeak:en-us", json={"name": "x"}),
        await client.delete("/v1/voices/espeak:en-us"),
    ):
        assert response.status_code == 409
        assert "engine_voice=espeak:en-us" in response.json()["error"]["message"]
    assert (await client.delete("/v1/voices/nobody")).status_code == 404


async def test_bad_registrations_name_the_problem(client: httpx.AsyncClient) -> None:
    cases = [
        ({"name": "x"}, 422, "invalid_input"),
        ({"name": "x", "engine_voice": "espeak:klingon"}, 404, "voice_not_found"),
        ({"name": "x", "engine_voice": "nope:voice"}, 422, "invalid_input"),
        ({"name": "x", "engine_voice": "espeak:en-us", "aliases": "a:b"}, 422, "invalid_input"),
        ({"name": "x", "engine_voice": "espeak:en-us", "language": "zh"}, 422, "invalid_input"),
        ({"name": "x", "engine_voice": "espeak:en-us", "speed": "9"}, 422, "invalid_request"),
    ]
    for fields, status, code in cases:
        response = await _register(client, **fields)
        assert response.status_code == status, (fields, response.text)
        assert response.json()["error"]["code"] == code


async def test_reference_audio_is_checked(
    client: httpx.AsyncClient, engine_pool: EnginePool
) -> None:
    good = reference_wav(engine_pool)

    async def upload(data: bytes, **fields: Any) -> httpx.Response:
        fields.setdefault("transcript", TRANSCRIPT)
        files = {"audio": ("ref.wav", data, "audio/wav")}
        return await _register(client, name="Clone", files=files, **fields)

    # no enabled engine here can clone: the template is refused, never spoken by another voice
    refused = await upload(good, engine="espeak")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "cloning_not_supported"
    assert "cannot clone" in refused.json()["error"]["message"]
    anyone = await upload(good)
    assert anyone.json()["error"]["code"] == "cloning_not_supported"

    cases = [
        (b"not audio at all" * 100, 422, "undecodable_audio"),
        (reference_wav(engine_pool, "Hi."), 422, "invalid_reference_audio"),
        (reference_wav(engine_pool, sample_rate=8000), 422, "invalid_reference_audio"),
        (b"\0" * 2_100_000, 413, "payload_too_large"),
    ]
    for data, status, code in cases:
        response = await upload(data, engine="espeak")
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
    both = await upload(good, engine="espeak", audio_url="http://example.com/a.wav")
    assert both.status_code == 422 and "not both" in both.json()["error"]["message"]
    listed = (await client.get("/v1/voices")).json()["voices"]
    assert not [v for v in listed if v["kind"] == "registered"]


class _Files(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def file_server(engine_pool: EnginePool) -> Iterator[str]:
    _Files.routes = {
        "/ref.wav": (200, {"Content-Type": "audio/wav"}, reference_wav(engine_pool)),
        "/ref.flac": (
            200,
            {"Content-Type": "audio/flac"},
            reference_wav(engine_pool, fmt=AudioFormat.FLAC),
        ),
        "/inside": (302, {"Location": "http://10.0.0.1/ref.wav"}, b""),
        "/metadata": (307, {"Location": "http://169.254.169.254/latest/"}, b""),
        "/missing": (404, {}, b""),
        "/big": (200, {}, b"\0" * 2_100_000),
    }
    server = ThreadingHTTPServer((FILE_HOST, 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{FILE_HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.2/ref.wav", "loopback"),
        ("http://10.0.0.1/ref.wav", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::1]/ref.wav", "loopback"),
        ("http://localhost/ref.wav", "loopback"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
async def test_reference_urls_inside_the_network_are_refused(
    client: httpx.AsyncClient, url: str, problem: str
) -> None:
    response = await _register(client, name="x", transcript=TRANSCRIPT, audio_url=url)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "callback_url_refused"
    assert problem in error["message"] and "audio_url" in error["message"]


async def test_reference_urls_are_fetched_hop_by_hop(
    client: httpx.AsyncClient, file_server: str
) -> None:
    async def by_url(path: str) -> dict[str, str]:
        response = await _register(
            client, name="x", engine="espeak", transcript=TRANSCRIPT, audio_url=file_server + path
        )
        assert response.status_code in (413, 422), response.text
        error: dict[str, str] = response.json()["error"]
        return error

    # the allowed server's recording was downloaded and checked: only cloning is missing
    assert (await by_url("/ref.wav"))["code"] == "cloning_not_supported"
    assert (await by_url("/ref.flac"))["code"] == "cloning_not_supported"
    inside = await by_url("/inside")
    assert inside["code"] == "callback_url_refused" and "redirect" in inside["message"]
    assert "10.0.0.1" in inside["message"]
    assert (await by_url("/metadata"))["code"] == "callback_url_refused"
    missing = await by_url("/missing")
    assert missing["code"] == "undecodable_audio" and "404" in missing["message"]
    assert (await by_url("/big"))["code"] == "payload_too_large"


async def test_samples_are_made_once_and_remade_after_a_change(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    first = await client.get("/v1/voices/espeak:en-us/sample")
    assert first.status_code == 200 and first.headers["content-type"] == "audio/wav"
    data, rate = sf.read(io.BytesIO(first.content), dtype="float32")
    assert len(data) / rate > 1.0 and float(abs(data).max()) > 0.05
    kept = list((settings.data_dir).rglob("sample.wav"))
    assert len(kept) == 1
    assert (await client.get("/v1/voices/espeak:en-us/sample")).content == first.content

    voice = (await _register(client, name="S", engine_voice="espeak:en-us", speed="1.8")).json()
    fast = await client.get(f"/v1/voices/{voice['id']}/sample")
    fast_data, _ = sf.read(io.BytesIO(fast.content), dtype="float32")
    assert len(fast_data) < 0.8 * len(data)
    await client.patch(f"/v1/voices/{voice['id']}", json={"defaults": {"speed": 1.0}})
    plain = await client.get(f"/v1/voices/{voice['id']}/sample")
    plain_data, _ = sf.read(io.BytesIO(plain.content), dtype="float32")
    assert abs(len(plain_data) - len(data)) < 0.05 * len(data)
    assert (await client.get("/v1/voices/nobody/sample")).status_code == 404


async def test_a_generic_chinese_name_has_a_sample_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/voices/女声/sample")
    assert response.status_code == 200, response.text
    data, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    assert len(data) / rate > 1.0 and float(abs(data).max()) > 0.05


@pytest.mark.kokoro
async def test_a_blend_of_kokoro_styles_registers_like_any_voice(client: httpx.AsyncClient) -> None:
    response = await _register(
        client,
        name="Warm narrator",
        engine_voice="kokoro:jm_kumo*0.6+jf_alpha*0.4",
        aliases="warm-narrator",
    )
    assert response.status_code == 201, response.text
    assert response.json()["engine"] == "kokoro"
    spoken = await client.post("/v1/tts", json={"text": "你好，世界。", "voice": "warm-narrator"})
    assert spoken.status_code == 200, spoken.text
    assert spoken.json()["voice"].startswith("kokoro:jm_kumo*0.6+jf_alpha*0.4")
    unknown = await _register(client, name="Nobody", engine_voice="kokoro:jm_kumo+af_nobody")
    assert unknown.status_code == 404 and "af_nobody" in unknown.text
