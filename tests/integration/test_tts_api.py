"""POST /v1/tts with the real kokoro and espeak engines: audio, subtitles and timings agree."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import httpx
import pytest
import soundfile as sf

from tests.conftest import make_settings
from voxhub.benchmarks.texts import sample
from voxhub.settings import AdmissionSettings, Settings
from voxhub.subtitles.formats import parse_srt

ZH_300 = sample("zh", 300)
EN_300 = sample("en", 300)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Deadlines five times the usual: these tests check audio against subtitles, and a
    300-character kokoro synthesis on a loaded 2-core machine may take a minute or more."""
    base = make_settings(tmp_path)
    return base.model_copy(update={"admission": AdmissionSettings(safety_factor=10.0)})


def _check_audio_matches_subtitles(body: dict[str, object], audio: bytes) -> None:
    data, rate = sf.read(io.BytesIO(audio), dtype="float32")
    assert rate == body["sample_rate"]
    duration = len(data) / rate
    assert duration > 5.0
    assert abs(duration - float(body["duration"])) < 0.01  # type: ignore[arg-type]
    assert float(abs(data).max()) > 0.05, "audio is silent"
    cues = parse_srt(str(body["srt"]))
    assert cues, "no subtitle cues"
    assert abs(cues[-1].end - duration) <= 0.05
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start < earlier.end <= later.start
    words = body["words"]
    assert isinstance(words, list) and words
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    for word in words:
        assert 0 <= word["start"] <= word["end"] <= duration + 1e-3
    for a, b in itertools.pairwise(words):
        assert a["end"] <= b["start"] + 1e-3


@pytest.mark.kokoro
@pytest.mark.parametrize(("text", "language"), [(ZH_300, "zh"), (EN_300, "en")])
async def test_kokoro_300_chars_audio_matches_subtitles(
    client: httpx.AsyncClient, text: str, language: str
) -> None:
    assert len(text) == 300
    response = await client.post("/v1/tts", json={"text": text, "subtitle_format": "all"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == language
    assert body["voice"].startswith("kokoro:")
    audio = await client.get(body["audio_url"])
    assert audio.status_code == 200
    assert audio.headers["content-type"].startswith("audio/wav")
    _check_audio_matches_subtitles(body, audio.content)
    assert body["vtt"].startswith("WEBVTT")
    assert len(body["cues"]) == len(parse_srt(body["srt"]))
    # every sentence of the text is in the subtitles, nothing dropped
    spoken = "".join(c["text"] for c in body["cues"]).replace("\n", "").replace(" ", "")
    assert spoken == text.replace(" ", "")


@pytest.mark.parametrize(("text", "voice"), [(ZH_300, "espeak:cmn"), (EN_300, "espeak:en-us")])
async def test_espeak_300_chars_audio_matches_subtitles(
    client: httpx.AsyncClient, text: str, voice: str
) -> None:
    response = await client.post("/v1/tts", json={"text": text, "voice": voice})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["voice"] == voice
    audio = await client.get(body["audio_url"])
    _check_audio_matches_subtitles(body, audio.content)


@pytest.mark.parametrize("fmt", ["mp3", "opus", "flac", "pcm"])
async def test_other_formats_and_resampling(client: httpx.AsyncClient, fmt: str) -> None:
    response = await client.post(
        "/v1/tts",
        json={
            "text": "Hello there, friend.",
            "voice": "espeak:en-us",
            "format": fmt,
            "sample_rate": 16000,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sample_rate"] == 16000
    audio = await client.get(body["audio_url"])
    assert audio.status_code == 200
    if fmt == "pcm":
        seconds = len(audio.content) / 2 / 16000
    else:
        data, rate = sf.read(io.BytesIO(audio.content), dtype="float32")
        assert rate == 16000
        seconds = len(data) / rate
    assert abs(seconds - body["duration"]) < 0.1


async def test_voices_and_health(client: httpx.AsyncClient) -> None:
    voices = (await client.get("/v1/voices")).json()
    ids = {v["id"] for v in voices["voices"]}
    assert {"kokoro:jm_kumo", "espeak:cmn", "espeak:en-us"} <= ids
    assert voices["defaults"]["zh"] == "kokoro:jm_kumo"
    zh_only = (await client.get("/v1/voices", params={"language": "zh-CN"})).json()
    assert all("zh" in v["languages"] for v in zh_only["voices"])
    health = await client.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "healthy" and body["model_loaded"] is True
    assert body["sample_rate"] == 24000
    assert body["engines"]["kokoro"]["model_loaded"] is True


async def test_openapi_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/tts" in spec["paths"] and "/v1/tts/stream" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
