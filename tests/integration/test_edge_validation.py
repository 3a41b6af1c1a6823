"""Validation at the edge: unstorable text 422 on every field, integers bounded, bodies 413
before they are read (by Content-Length and while streaming), valid requests still served."""

from __future__ import annotations

import json
import select
import socket
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import ENABLED
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.api.body_limits import body_limits
from voxhub.api.schemas.fields import MAX_EVENT_ID, MAX_OFFSET
from voxhub.engines.pool import EnginePool
from voxhub.settings import ASRSettings, EngineSettings, Settings, VoiceSettings

SURROGATE = "\ud800 x"
JSON_LIMIT = 1_048_576
UPLOAD_BYTES = 3_000_000
REFERENCE_BYTES = 2_000_000
CHUNK = 65_536


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=ENABLED),
        asr=ASRSettings(max_upload_bytes=UPLOAD_BYTES),
        voices=VoiceSettings(max_reference_bytes=REFERENCE_BYTES),
    )


def _message(response: httpx.Response, path: str, status: int, code: str | None = None) -> str:
    """The error's message, once the status and the shape of `path`'s route family hold."""
    assert response.status_code == status, response.text
    body = response.json()
    if path.startswith(("/tts/", "/api/v1/")):
        # IndexTTS and GLM-TTS were FastAPI services
        assert set(body) == {"detail"}, body
        return str(body["detail"])
    if path.startswith("/api/tts") or path == "/events":
        # the cloning backend's envelope
        assert set(body) == {"success", "error"} and body["success"] is False, body
        return str(body["error"])
    error = body["error"]
    if path.startswith("/v1/audio/"):
        assert set(error) == {"message", "type", "param", "code"}, body
    else:
        assert set(body) == {"error"} and set(error) == {"code", "message"}, body
    assert code is None or error["code"] == code, body
    return str(error["message"])


def _invalid(path: str) -> int:
    # OpenAI's routes answer invalid requests with 400, as its SDK expects
    return 400 if path.startswith("/v1/audio/") else 422


def _with(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """`body` with the field at `dotted` (`defaults.instruction`, `aliases.0`) set to `value`."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = dotted.split(".")
    target: Any = copy
    for part in parents:
        if not isinstance(target.get(part), dict | list):
            target[part] = [] if last.isdigit() else {}
        target = target[part]
    if isinstance(target, list):
        target.append(value)
    else:
        target[last] = value
    return copy


# every text field of the JSON routes: (method, path, a valid body, the field)
_SPEAK = {"text": "Hello.", "voice": "espeak:en-us"}
JSON_FIELDS = [
    *[("POST", "/v1/tts", _SPEAK, f) for f in ["text", "voice", "character", "language"]],
    *[("POST", "/v1/tts", _SPEAK, f) for f in ["format", "instruction"]],
    *[("POST", "/v1/tts/stream", _SPEAK, f) for f in ["text", "voice", "instruction"]],
    *[("POST", "/v1/tts/jobs", _SPEAK, f) for f in ["text", "voice", "callback_url"]],
    *[("PATCH", "/v1/voices/VOICE", {}, f) for f in ["name", "language", "transcript"]],
    *[("PATCH", "/v1/voices/VOICE", {}, f) for f in ["engine", "aliases.0"]],
    ("PATCH", "/v1/voices/VOICE", {}, "defaults.instruction"),
    ("POST", "/v1/auth/tokens", {}, "path"),
    *[("POST", "/tts/online", _SPEAK, f) for f in ["text", "character", "callback_url"]],
    *[("POST", "/tts/long/submit", _SPEAK, f) for f in ["text", "character"]],
    *[
        ("POST", "/api/tts", {"templateId": "t1", "tts_text": "Hi."}, f)
        for f in ["templateId", "tts_text", "instruction"]
    ],
    *[("POST", "/api/tts/retry", {"taskId": "t"}, f) for f in ["taskId", "templateId", "tts_text"]],
    *[
        ("POST", "/v1/audio/speech", {"model": "tts-1", "input": "Hi.", "voice": "alloy"}, f)
        for f in ["input", "voice", "voice.id", "model", "instructions"]
    ],
]


@pytest.fixture
async def voice_id(client: httpx.AsyncClient) -> str:
    form = {"name": "Edge", "engine_voice": "espeak:en-us", "aliases": "edge"}
    response = await client.post("/v1/voices", data=form)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("raw", [False, True], ids=["escaped", "raw-bytes"])
@pytest.mark.parametrize(("method", "path", "body", "field"), JSON_FIELDS)
async def test_a_surrogate_in_any_json_text_field_is_refused(
    client: httpx.AsyncClient,
    voice_id: str,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    raw: bool,
) -> None:
    sent = _with(body, field, SURROGATE)
    if raw:
        # the bytes ED A0 80 themselves, which JSON decoding turns into U+D800
        content = json.dumps(sent, ensure_ascii=False).encode("utf-8", "surrogatepass")
        assert b"\xed\xa0\x80" in content
    else:
        content = json.dumps(sent).encode()
    url = path.replace("VOICE", voice_id)
    headers = {"content-type": "application/json"}
    response = await client.request(method, url, content=content, headers=headers)
    message = _message(response, path, _invalid(path), "invalid_request")
    assert f"{field.split('.')[0]}" in message and "unpaired surrogate (U+D800)" in message


async def test_nul_is_refused_and_valid_unicode_is_spoken(client: httpx.AsyncClient) -> None:
    nul = await client.post("/v1/tts/jobs", json={**_SPEAK, "text": "Hello\x00 there."})
    assert "text: contains a NUL character (U+0000)" in _message(nul, "/v1/tts/jobs", 422)
    spoken = await client.post("/v1/tts", json={**_SPEAK, "text": "Hello 😀 𠀀 café."})
    assert spoken.status_code == 200, spoken.text


def _multipart(fields: list[tuple[str, bytes]], upload: tuple[str, bytes] | None = None) -> bytes:
    parts = [
        b'--edge\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (n.encode(), v)
        for n, v in fields
    ]
    if upload is not None:
        name, data = upload
        head = b'--edge\r\nContent-Disposition: form-data; name="%s"; filename="a.wav"\r\n'
        parts.append(head % name.encode() + b"Content-Type: audio/wav\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + b"--edge--\r\n"


_VOICE_FORM = [("name", b"Form"), ("engine_voice", b"espeak:en-us")]
_AUDIO = ("file", b"RIFF-not-really")
# every text field of the form routes: (path, the valid fields, its upload, the field)
FORM_FIELDS = [
    *[
        ("/v1/voices", _VOICE_FORM, None, f)
        for f in ["name", "transcript", "aliases", "engine_voice", "audio_url", "instruction"]
    ],
    *[("/v1/voices", _VOICE_FORM, None, f) for f in ["language", "engine"]],
    *[("/api/v1/tts", [("input_text", b"Hi.")], None, f) for f in ["input_text", "index"]],
    ("/api/v1/tts", [("input_text", b"Hi.")], None, "prompt_text"),
    *[("/v1/asr/transcriptions", [], _AUDIO, f) for f in ["language", "engine", "response_format"]],
    *[
        ("/v1/audio/transcriptions", [], _AUDIO, f)
        for f in ["model", "language", "prompt", "response_format", "timestamp_granularities[]"]
    ],
]


@pytest.mark.parametrize(("path", "fields", "upload", "field"), FORM_FIELDS)
async def test_a_surrogate_in_any_form_field_is_refused(
    client: httpx.AsyncClient,
    path: str,
    fields: list[tuple[str, bytes]],
    upload: tuple[str, bytes] | None,
    field: str,
) -> None:
    """A form reaches a surrogate through its declared charset (here unicode_escape)."""
    sent = [(n, v) for n, v in fields if n != field] + [(field, b"\\ud800 x")]
    headers = {"content-type": "multipart/form-data; boundary=edge; charset=unicode_escape"}
    response = await client.post(path, content=_multipart(sent, upload), headers=headers)
    message = _message(response, path, _invalid(path))
    assert field in message and "unpaired surrogate (U+D800)" in message


async def test_invalid_utf8_in_a_form_field_is_read_as_latin1_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    """Starlette reads a form field that is not UTF-8 as Latin-1 (what a Latin-1 client
    meant): the request is served as that text."""
    fields = [("input_text", b"\xed\xa0\x80 Hello there.")]
    headers = {"content-type": "multipart/form-data; boundary=edge"}
    spoken = await client.post("/api/v1/tts", content=_multipart(fields), headers=headers)
    assert spoken.status_code == 200, spoken.text
    named = [("name", b"caf\xe9"), ("engine_voice", b"espeak:en-us")]
    voice = await client.post("/v1/voices", content=_multipart(named), headers=headers)
    assert voice.status_code == 201 and voice.json()["name"] == "café", voice.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": str(2**63)}, "offset"),
        ({"offset": str(MAX_OFFSET + 1)}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": str(2**63)}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
    ],
)
async def test_list_offsets_and_limits_are_bounded(
    client: httpx.AsyncClient, query: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/tts/jobs", params=query)
    assert _message(response, "/v1/tts/jobs", 422, "invalid_request").startswith(f"{field}: ")


async def test_the_largest_offset_still_lists(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/tts/jobs", params={"offset": str(MAX_OFFSET)})
    assert response.status_code == 200 and response.json()["jobs"] == []


@pytest.fixture
async def ended_job(client: httpx.AsyncClient) -> str:
    job = await client.post("/v1/tts/jobs", json=_SPEAK)
    assert job.status_code == 202, job.text
    cancelled = await client.post(f"/v1/tts/jobs/{job.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    return str(job.json()["id"])


@pytest.mark.parametrize("header", [str(2**63), str(10**40), "-1", "later", b"\xb2", "+7"])
@pytest.mark.parametrize("path", ["/v1/tts/jobs/JOB/events", "/v1/events", "/events"])
async def test_a_last_event_id_that_is_no_event_id_is_refused_before_the_stream(
    client: httpx.AsyncClient, ended_job: str, path: str, header: str | bytes
) -> None:
    url = path.replace("JOB", ended_job)
    value = header.encode() if isinstance(header, str) else header
    response = await client.get(url, headers={b"Last-Event-ID": value})
    assert "Last-Event-ID" in _message(response, path, 422)


async def test_the_largest_event_id_resumes_a_stream(
    client: httpx.AsyncClient, ended_job: str
) -> None:
    url = f"/v1/tts/jobs/{ended_job}/events"
    response = await client.get(url, headers={"Last-Event-ID": str(MAX_EVENT_ID)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")


class _Body:
    """A request body generated as it is sent, counting what the server took of it."""

    def __init__(self, size: int, head: bytes = b"", tail: bytes = b"") -> None:
        self.head, self.tail = head, tail
        self.size = len(head) + -(-size // CHUNK) * CHUNK + len(tail)
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        self.taken += len(self.head)
        while self.taken < self.size - len(self.tail):
            self.taken += CHUNK
            # a fresh buffer each time, as a server receives them
            yield bytes(bytearray(CHUNK))
        self.taken += len(self.tail)
        yield self.tail


def _json_body(size: int) -> _Body:
    return _Body(size, b'{"text": "', b'"}')


def _upload_body(field: str, size: int) -> _Body:
    head = b'--edge\r\nContent-Disposition: form-data; name="%s"; filename="a.wav"\r\n'
    return _Body(size, head % field.encode() + b"Content-Type: audio/wav\r\n\r\n", b"--edge--")


async def _send(
    client: httpx.AsyncClient, path: str, body: _Body, declared: bool, form: bool = False
) -> httpx.Response:
    content_type = "multipart/form-data; boundary=edge" if form else "application/json"
    headers = {"content-type": content_type}
    if declared:
        headers["content-length"] = str(body.size)
    return await client.post(path, content=body, headers=headers)


JSON_ROUTES = ["/v1/tts", "/v1/tts/stream", "/v1/tts/jobs", "/v1/auth/tokens", "/tts/online"]
JSON_ROUTES += ["/tts/long/submit", "/api/tts", "/api/tts/retry", "/v1/audio/speech"]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_a_50_mb_json_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient, path: str, declared: bool
) -> None:
    body = _json_body(50_000_000)
    response = await _send(client, path, body, declared)
    message = _message(response, path, 413, "payload_too_large")
    assert "1,048,576-byte limit" in message and "VOXHUB_SERVER__MAX_JSON_BYTES" in message
    if declared:
        assert body.taken == 0 and f"of {body.size:,} bytes" in message
    else:
        assert JSON_LIMIT < body.taken <= JSON_LIMIT + 2 * CHUNK


# upload routes: (path, file field, the limit of their body, the setting named)
UPLOADS = [
    ("/v1/asr/transcriptions", "file", UPLOAD_BYTES, "VOXHUB_ASR__MAX_UPLOAD_BYTES"),
    ("/v1/audio/transcriptions", "file", UPLOAD_BYTES, "VOXHUB_ASR__MAX_UPLOAD_BYTES"),
    ("/v1/voices", "audio", REFERENCE_BYTES, "VOXHUB_VOICES__MAX_REFERENCE_BYTES"),
    ("/api/v1/tts", "prompt_audio", REFERENCE_BYTES, "VOXHUB_VOICES__MAX_REFERENCE_BYTES"),
]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("path", "field", "file_bytes", "setting"), UPLOADS)
async def test_a_200_mb_upload_is_refused_before_it_is_read(
    client: httpx.AsyncClient, path: str, field: str, file_bytes: int, setting: str, declared: bool
) -> None:
    body = _upload_body(field, 200_000_000)
    response = await _send(client, path, body, declared, form=True)
    limit = file_bytes + JSON_LIMIT
    message = _message(response, path, 413, "payload_too_large")
    assert f"{limit:,}-byte limit" in message and setting in message
    if declared:
        assert body.taken == 0
    else:
        assert limit < body.taken <= limit + 2 * CHUNK


async def test_every_upload_route_has_its_own_limit(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    document = (await client.get("/openapi.json")).json()
    uploads = set()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "multipart/form-data" in content:
                uploads.add(path)
    assert uploads == {u[0] for u in UPLOADS}
    assert uploads <= set(body_limits(settings).paths)


async def test_memory_of_a_50_mb_body_stays_near_the_limit(client: httpx.AsyncClient) -> None:
    """Before, a 50 MB job body cost about 117 MB of Python allocations on its way to 413."""
    tracemalloc.start()
    try:
        body = _json_body(50_000_000)
        response = await _send(client, "/v1/tts/jobs", body, declared=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert peak < 8 * JSON_LIMIT, f"peak {peak:,} bytes"


async def test_valid_requests_within_the_limits_still_pass(
    client: httpx.AsyncClient, engine_pool: EnginePool
) -> None:
    # 50,000 Chinese characters escaped as \uXXXX: the largest job is 300 kB of JSON
    text = ("今天天气很好，我们一起去公园散步吧。" * 2800)[:50_000]
    content = json.dumps({"text": text, "voice": "espeak:cmn"}).encode()
    assert 300_000 < len(content) < JSON_LIMIT
    headers = {"content-type": "application/json"}
    job = await client.post("/v1/tts/jobs", content=content, headers=headers)
    assert job.status_code == 202, job.text
    # the recording is read and checked in full: only an engine that can clone is missing
    wav = reference_wav(engine_pool)
    form = {"name": "Reader", "transcript": TRANSCRIPT}
    voice = await client.post("/v1/voices", data=form, files={"audio": ("r.wav", wav)})
    assert voice.status_code == 422 and voice.json()["error"]["code"] == "cloning_not_supported"
    heard = await client.post(
        "/v1/asr/transcriptions",
        data={"engine": "pocketsphinx", "language": "en", "response_format": "text"},
        files={"file": ("r.wav", wav)},
    )
    assert heard.status_code == 200 and heard.text.strip(), heard.text
    spoken = await client.post(
        "/api/v1/tts", data={"input_text": "Hello.", "index": "espeak:en-us"}
    )
    assert spoken.status_code == 200, spoken.text


async def test_a_file_over_its_limit_within_the_body_limit_meets_the_routes_own_413(
    client: httpx.AsyncClient,
) -> None:
    files = {"file": ("big.wav", bytes(UPLOAD_BYTES + 1))}
    response = await client.post("/v1/asr/transcriptions", files=files)
    message = _message(response, "/v1/asr/transcriptions", 413, "payload_too_large")
    assert "VOXHUB_SERVER__MAX_JSON_BYTES" not in message


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30)


def _response(sock: socket.socket) -> tuple[bytes, dict[str, Any]]:
    """The status line and the JSON body of the answer on `sock`."""
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(65_536)
        assert data, received
        received += data
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65_536)
    return head.split(b"\r\n")[0], json.loads(body)


def test_a_real_server_answers_a_declared_200_mb_upload_without_waiting_for_it(
    live_server: str,
) -> None:
    """Not even `100 Continue`: the client is told 413 before it sends a byte."""
    with _connect(live_server) as sock:
        sock.sendall(
            b"POST /v1/asr/transcriptions HTTP/1.1\r\nHost: voxhub\r\n"
            b"Content-Type: multipart/form-data; boundary=edge\r\n"
            b"Content-Length: 200000000\r\nExpect: 100-continue\r\n\r\n"
        )
        status, body = _response(sock)
    assert status.startswith(b"HTTP/1.1 413 "), status
    assert body["error"]["code"] == "payload_too_large"


def test_a_real_server_stops_reading_a_chunked_upload_near_its_limit(live_server: str) -> None:
    """Bytes the client got out before the 413 came back: the limit, plus what the two
    sockets' buffers hold, not the 200 MB it meant to send."""
    limit = REFERENCE_BYTES + JSON_LIMIT
    chunk = b"%x\r\n%s\r\n" % (CHUNK, bytes(CHUNK))
    part = _upload_body("audio", 0).head
    sent = 0
    with _connect(live_server) as sock:
        sock.sendall(
            b"POST /v1/voices HTTP/1.1\r\nHost: voxhub\r\n"
            b"Content-Type: multipart/form-data; boundary=edge\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(part), part)
        )
        sock.setblocking(False)
        deadline = time.monotonic() + 60
        pending = b""
        while sent < 200_000_000 and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                break
            if writable:
                pending = pending or chunk
                taken = sock.send(pending)
                pending = pending[taken:]
                sent += taken
        sock.setblocking(True)
        status, body = _response(sock)
    assert status.startswith(b"HTTP/1.1 413 "), status
    assert body["error"]["code"] == "payload_too_large"
    print(f"chunked upload: {sent:,} bytes sent before the 413 (limit {limit:,})")
    assert limit < sent < limit + 16_000_000
