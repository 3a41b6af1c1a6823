"""File transcription routes: voxhub's and the OpenAI-compatible one, formats and errors."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from tests.support.asr_speech import ENGLISH, ENGLISH_VOICE, RATE, utterance, wav_bytes
from voxhub.container import Container, transcriber
from voxhub.engine_setup import asr_engine_pool
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.settings import Settings
from voxhub.subtitles.formats import parse_srt

pytestmark = pytest.mark.kokoro

SPOKEN = " ".join(ENGLISH[:2])


@pytest.fixture(scope="module")
def asr_pool(tmp_path_factory: pytest.TempPathFactory) -> ASREnginePool:
    """Recognition engines load once for the module (whisper assembles into its data dir)."""
    return asr_engine_pool(Settings(data_dir=tmp_path_factory.mktemp("asr-data")))


@pytest.fixture
def container(
    settings: Settings, engine_pool: EnginePool, asr_pool: ASREnginePool
) -> Iterator[Container]:
    yield Container.build(settings, engine_pool, asr_pool)


@pytest.fixture(scope="module")
def speech(engine_pool: EnginePool) -> np.ndarray:
    return utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE)


async def _post(
    client: httpx.AsyncClient,
    data: bytes,
    path: str = "/v1/asr/transcriptions",
    filename: str = "speech.wav",
    granularities: list[str] | None = None,
    **fields: str,
) -> httpx.Response:
    form: dict[str, str | list[str]] = dict(fields)
    if granularities is not None:
        form["timestamp_granularities[]"] = granularities
    return await client.post(path, data=form, files={"file": (filename, data)})


async def test_json_with_segments_and_words(client: httpx.AsyncClient, speech: np.ndarray) -> None:
    response = await _post(client, wav_bytes(speech), engine="pocketsphinx", language="en")
    assert response.status_code == 200, response.text
    body = response.json()
    assert word_error_rate(SPOKEN, body["text"]) <= 0.20, body["text"]
    assert body["engine"] == "pocketsphinx" and body["language"] == "en"
    assert body["duration"] == pytest.approx(len(speech) / RATE, abs=0.01)
    words = [w for s in body["segments"] for w in s["words"]]
    assert words and all(0 <= w["start"] < w["end"] <= body["duration"] for w in words)
    assert {"text", "start", "end", "probability"} <= set(words[0])


async def test_text_srt_and_vtt_from_a_flac_upload(
    client: httpx.AsyncClient, speech: np.ndarray
) -> None:
    flac = wav_bytes(speech, "FLAC")
    text = await _post(
        client, flac, filename="s.flac", engine="pocketsphinx", response_format="text"
    )
    assert text.headers["content-type"].startswith("text/plain")
    assert word_error_rate(SPOKEN, text.text) <= 0.20, text.text
    srt = await _post(client, flac, filename="s.flac", engine="pocketsphinx", response_format="srt")
    assert srt.status_code == 200 and "subrip" in srt.headers["content-type"]
    cues = parse_srt(srt.text)
    assert len(cues) >= 2 and all(a.end <= b.start for a, b in itertools.pairwise(cues))
    assert 0 < cues[-1].end <= len(speech) / RATE
    vtt = await _post(client, flac, filename="s.flac", engine="pocketsphinx", response_format="vtt")
    assert vtt.text.startswith("WEBVTT\n\n1\n") and vtt.headers["content-type"].startswith(
        "text/vtt"
    )


async def test_openai_route_defaults_to_whisper(
    client: httpx.AsyncClient, speech: np.ndarray
) -> None:
    data = wav_bytes(speech)
    path = "/v1/audio/transcriptions"
    plain = await _post(client, data, path, model="whisper-1")
    assert plain.status_code == 200, plain.text
    assert set(plain.json()) == {"text"}
    assert word_error_rate(SPOKEN, plain.json()["text"]) <= 0.20
    verbose = await _post(
        client,
        data,
        path,
        model="pocketsphinx",
        language="en",
        response_format="verbose_json",
        granularities=["word", "segment"],
    )
    body = verbose.json()
    assert body["task"] == "transcribe" and body["language"] == "english"
    assert body["segments"] and body["words"] and set(body["words"][0]) == {"word", "start", "end"}
    text = await _post(client, data, path, model="pocketsphinx", response_format="text")
    assert text.text.strip() and text.headers["content-type"].startswith("text/plain")


async def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return str(error["message"])


async def test_bad_requests(client: httpx.AsyncClient, speech: np.ndarray) -> None:
    data = wav_bytes(speech[: RATE // 2])
    message = await _error(
        await _post(client, b"this is not audio at all", engine="pocketsphinx"),
        422,
        "undecodable_audio",
    )
    assert "wav" in message
    message = await _error(await _post(client, data, engine="kaldi"), 404, "engine_not_found")
    assert "whisper, pocketsphinx" in message
    message = await _error(
        await _post(client, data, engine="pocketsphinx", language="zh"),
        422,
        "unsupported_language",
    )
    assert "recognizes: en" in message
    # the OpenAI route answers invalid requests with 400, as OpenAI does
    await _error(
        await _post(client, data, "/v1/audio/transcriptions", language="klingon"),
        400,
        "unsupported_language",
    )
    message = await _error(
        await _post(client, data, engine="pocketsphinx", response_format="docx"),
        422,
        "unsupported_format",
    )
    assert "srt" in message
    missing = await client.post("/v1/asr/transcriptions", data={"engine": "pocketsphinx"})
    assert missing.status_code == 422 and "file" in missing.json()["error"]["message"]


async def test_size_and_length_limits_are_413(
    client: httpx.AsyncClient, container: Container, speech: np.ndarray
) -> None:
    data = wav_bytes(speech)
    asr = container.settings.asr
    smaller = asr.model_copy(update={"max_upload_bytes": len(data) - 1})
    container.transcriber = transcriber(smaller, container.asr_engines)
    message = await _error(
        await _post(client, data, engine="pocketsphinx"), 413, "payload_too_large"
    )
    assert f"{len(data) - 1:,}" in message and "VOXHUB_ASR__MAX_UPLOAD_BYTES" in message
    shorter = asr.model_copy(update={"max_file_seconds": 2.0})
    container.transcriber = transcriber(shorter, container.asr_engines)
    message = await _error(
        await _post(client, data, engine="pocketsphinx"), 413, "payload_too_large"
    )
    assert "2 s" in message and "shorter" in message


@pytest.fixture(scope="module")
def rare_name(engine_pool: EnginePool) -> bytes:
    """espeak is deterministic: whisper hears this name as "Shivani and" without a hint."""
    return wav_bytes(utterance(engine_pool, [RARE_NAME_SENTENCE], "en", "espeak:en-us"))


RARE_NAME_SENTENCE = "Please send the invoice to Siobhan Nguyen today."


async def test_hotwords_bring_a_rare_name_through_both_routes(
    client: httpx.AsyncClient, rare_name: bytes
) -> None:
    plain = await _post(client, rare_name, engine="whisper", language="en")
    assert "Siobhan" not in plain.json()["text"] and "hotwords_applied" not in plain.json()
    hinted = await _post(
        client, rare_name, engine="whisper", language="en", hotwords="Siobhan Nguyen, Kubernetes"
    )
    assert hinted.status_code == 200, hinted.text
    body = hinted.json()
    assert "Siobhan Nguyen" in body["text"], body["text"]
    assert body["hotwords_applied"] is True and hinted.headers["x-voxhub-hotwords"] == "applied"
    assert word_error_rate(RARE_NAME_SENTENCE, body["text"]) == 0.0, body["text"]
    # OpenAI's prompt primes the recognizer the same way
    openai = await _post(
        client,
        rare_name,
        "/v1/audio/transcriptions",
        model="whisper-1",
        language="en",
        prompt="An invoice for Siobhan Nguyen.",
    )
    assert "Siobhan Nguyen" in openai.json()["text"], openai.text


async def test_hotwords_an_engine_cannot_use_are_reported_ignored_and_bad_ones_refused(
    client: httpx.AsyncClient, speech: np.ndarray
) -> None:
    data = wav_bytes(speech)
    ignored = await _post(
        client, data, engine="pocketsphinx", hotwords="voxhub", response_format="text"
    )
    assert ignored.status_code == 200 and ignored.headers["x-voxhub-hotwords"] == "ignored"
    assert word_error_rate(SPOKEN, ignored.text) <= 0.20
    message = await _error(
        await _post(client, data, engine="whisper", hotwords="x" * 65), 422, "invalid_hotwords"
    )
    assert "64 characters" in message
    many = ", ".join(f"term{i}" for i in range(101))
    message = await _error(await _post(client, data, hotwords=many), 422, "invalid_hotwords")
    assert "At most 100" in message
