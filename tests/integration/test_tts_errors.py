"""Every bad request gets its status code and a message a user can act on."""

from __future__ import annotations

import httpx
import pytest

from voxhub.container import Container


async def _error(
    client: httpx.AsyncClient, path: str, payload: dict[str, object]
) -> tuple[int, dict[str, str]]:
    response = await client.post(path, json=payload)
    body = response.json()
    assert set(body) == {"error"}, body
    return response.status_code, body["error"]


@pytest.mark.parametrize("path", ["/v1/tts", "/v1/tts/stream"])
@pytest.mark.parametrize("text", ["", "   \n\t "])
async def test_empty_text_is_422(client: httpx.AsyncClient, path: str, text: str) -> None:
    status, error = await _error(client, path, {"text": text})
    assert status == 422
    assert error["code"] == "empty_text"
    assert "text" in error["message"]


@pytest.mark.parametrize("path", ["/v1/tts", "/v1/tts/stream"])
async def test_text_over_limit_is_413_pointing_to_jobs(
    client: httpx.AsyncClient, path: str
) -> None:
    status, error = await _error(client, path, {"text": "字" * 301})
    assert status == 413
    assert error["code"] == "text_too_long"
    assert "301" in error["message"] and "300" in error["message"]
    assert "/v1/tts/jobs" in error["message"]


@pytest.mark.parametrize("path", ["/v1/tts", "/v1/tts/stream"])
async def test_unknown_voice_is_404_with_hint(client: httpx.AsyncClient, path: str) -> None:
    for voice in ["kokoro:nobody", "nobody", "nosuchengine:x"]:
        status, error = await _error(client, path, {"text": "你好", "voice": voice})
        assert status == 404
        assert error["code"] == "voice_not_found"
        assert voice in error["message"] and "/v1/voices" in error["message"]


@pytest.mark.parametrize("path", ["/v1/tts", "/v1/tts/stream"])
async def test_unsupported_format_and_rate_are_422(client: httpx.AsyncClient, path: str) -> None:
    status, error = await _error(client, path, {"text": "你好", "format": "aiff"})
    assert status == 422 and error["code"] == "unsupported_format"
    assert "wav" in error["message"] and "mp3" in error["message"]
    status, error = await _error(client, path, {"text": "你好", "sample_rate": 12345})
    assert status == 422 and error["code"] == "unsupported_sample_rate"
    assert "16000" in error["message"]


async def test_out_of_range_parameters_are_422(client: httpx.AsyncClient) -> None:
    status, error = await _error(client, "/v1/tts", {"text": "你好", "speed": 9})
    assert status == 422 and error["code"] == "invalid_request"
    assert "speed" in error["message"]
    status, error = await _error(client, "/v1/tts", {"voice": "espeak:cmn"})
    assert status == 422 and "text" in error["message"]


async def test_language_the_voice_cannot_speak_is_422(client: httpx.AsyncClient) -> None:
    status, error = await _error(
        client, "/v1/tts", {"text": "hello", "voice": "espeak:en-us", "language": "zh"}
    )
    assert status == 422 and error["code"] == "unsupported_language"


@pytest.mark.parametrize("path", ["/v1/tts", "/v1/tts/stream"])
async def test_engine_failure_is_503(
    client: httpx.AsyncClient, container: Container, path: str
) -> None:
    fake = container.engines.get("fake")
    fake.fail_on = "boom"  # type: ignore[attr-defined]
    try:
        response = await client.post(path, json={"text": "this will boom", "voice": "fake:a"})
    finally:
        fake.fail_on = None  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "engine_unavailable"


async def test_unknown_audio_is_404(client: httpx.AsyncClient) -> None:
    for name in ["0" * 32 + ".wav", "../../etc/passwd", "abc.wav"]:
        response = await client.get(f"/v1/tts/audio/{name}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
