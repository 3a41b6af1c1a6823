"""The Python client's online routes against a real uvicorn (espeak), and what it sends where."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from tests.conftest import make_settings
from voxhub.client import AsyncClient, Client, VoxhubAPIError, VoxhubConnectionError
from voxhub.settings import Settings
from voxhub.subtitles.formats import parse_srt


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, default="espeak")


def test_synthesize_returns_audio_with_subtitles_and_timings(live_server: str) -> None:
    with Client(live_server) as voxhub:
        speech = voxhub.synthesize(
            "Hello from the client. A second sentence.", voice="espeak:en-us", subtitle_format="all"
        )
    info = sf.info(io.BytesIO(speech.audio))
    assert info.format == "WAV" and abs(info.duration - speech.duration) < 0.05
    assert speech.voice == "espeak:en-us" and speech.language == "en"
    cues = parse_srt(speech.srt)
    assert abs(cues[-1].end - speech.duration) < 0.05
    assert speech.vtt and speech.vtt.startswith("WEBVTT") and speech.cues
    assert speech.words[0].text == "Hello" and "client" in " ".join(w.text for w in speech.words)
    assert len(speech.sentences) == 2


async def test_the_async_client_synthesizes_and_streams(live_server: str) -> None:
    async with AsyncClient(live_server) as voxhub:
        speech = await voxhub.synthesize("Asynchronous hello.", format="flac", speed=1.5)
        assert sf.info(io.BytesIO(speech.audio)).format == "FLAC"
        chunks = [c async for c in voxhub.synthesize_stream("One. Two.", format="wav")]
        assert sf.info(io.BytesIO(b"".join(chunks))).duration > 0.3
        voices = await voxhub.list_voices(language="zh", engine="espeak")
        assert "espeak:cmn" in {v.id for v in voices}


def test_voices_and_streaming(live_server: str) -> None:
    with Client(live_server) as voxhub:
        voices = voxhub.list_voices(engine="espeak")
        assert {"espeak:cmn", "espeak:en-us"} <= {v.id for v in voices}
        assert all(v.engine == "espeak" for v in voices)
        audio = b"".join(voxhub.synthesize_stream("Streamed speech.", format="mp3"))
        assert sf.info(io.BytesIO(audio)).duration > 0.3


def test_error_answers_raise_with_the_servers_code(live_server: str) -> None:
    with Client(live_server) as voxhub:
        cases: list[tuple[dict[str, Any], int, str | None]] = [
            ({"text": "a" * 301}, 413, "text_too_long"),
            ({"text": "hello", "voice": "espeak:nobody"}, 404, "voice_not_found"),
            ({"text": "hello", "format": "aiff"}, 422, "unsupported_format"),
            ({"text": "hello", "speed": 9}, 422, "invalid_request"),
        ]
        for fields, status, code in cases:
            with pytest.raises(VoxhubAPIError) as caught:
                voxhub.synthesize(**fields)
            assert (caught.value.status, caught.value.code) == (status, code), fields
            assert caught.value.message
        with pytest.raises(VoxhubAPIError) as stream:
            list(voxhub.synthesize_stream("", format="wav"))
        assert stream.value.code == "empty_text"


def test_an_unreachable_server_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with Client(closed) as voxhub, pytest.raises(VoxhubConnectionError, match=closed):
        voxhub.list_jobs()


def test_the_javascript_client_is_served(live_server: str) -> None:
    response = httpx.get(f"{live_server}/static/voxhub.js")
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in ("text/javascript", "application/javascript")
    assert "export class VoxhubClient" in response.text


class Recorder(BaseHTTPRequestHandler):
    """Answers as the API or as a storage host would; notes who sent an Authorization."""

    seen: list[tuple[str, str, str | None]]
    storage: str

    def do_POST(self) -> None:
        self._note()
        self.rfile.read(int(self.headers["Content-Length"]))
        own = f"http://{self.headers['Host']}"
        body = {
            "id": "x",
            "audio_url": f"{own}/v1/tts/audio/x.wav",
            "format": "wav",
            "media_type": "audio/wav",
            "duration": 0.1,
            "sample_rate": 8000,
            "voice": "espeak:en-us",
            "language": "en",
            "srt": "",
            "words": [],
            "sentences": [],
        }
        self._answer(200, json.dumps(body).encode(), "application/json")

    def do_GET(self) -> None:
        self._note()
        if self.path.startswith("/v1/"):
            # as the API answers downloads kept on S3: a redirect to a presigned URL
            self.send_response(307)
            self.send_header("Location", f"{self.storage}/bucket/x.wav?X-Amz-Signature=abc")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(200, b"RIFF-audio-bytes", "audio/wav")

    def _note(self) -> None:
        self.seen.append((self.command, self.path, self.headers.get("Authorization")))

    def _answer(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def api_and_storage() -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """Two HTTP servers on different ports, so different origins."""
    seen: list[tuple[str, str, str | None]] = []
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Recorder) for _ in range(2)]
    api, storage = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    Recorder.seen, Recorder.storage = seen, storage
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield api, seen
    for server in servers:
        server.shutdown()
        server.server_close()


def test_redirects_are_followed_without_the_api_key(
    api_and_storage: tuple[str, list[tuple[str, str, str | None]]],
) -> None:
    api, seen = api_and_storage
    with Client(api, api_key="secret") as voxhub:
        speech = voxhub.synthesize("hello")
    assert speech.audio == b"RIFF-audio-bytes"
    assert seen == [
        ("POST", "/v1/tts", "Bearer secret"),
        ("GET", "/v1/tts/audio/x.wav", "Bearer secret"),
        ("GET", "/bucket/x.wav?X-Amz-Signature=abc", None),
    ]
