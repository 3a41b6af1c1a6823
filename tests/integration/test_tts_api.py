"""POST /v1/tts with the real kokoro and espeak engines: audio, subtitles and timings agree."""

from __future__ import annotations

import io
import itertools

import httpx
import pytest
import soundfile as sf

from voxhub.subtitles.formats import parse_srt

ZH_300 = (
    "春天的早晨，阳光洒在湖面上，微风轻轻吹过，柳树的枝条在水边摇摆。"
    "孩子们背着书包走在去学校的路上，一边走一边说笑。"
    "公园里有许多老人在打太极拳，动作缓慢而有力。"
    "卖早点的小摊前排起了长队，豆浆和油条的香味飘满了整条街道。"
    "城市慢慢醒来，公交车和地铁载着上班的人们驶向各个方向。"
    "图书馆在九点开门，学生们安静地坐在窗边读书，偶尔抬头看看窗外的天空。"
    "中午的时候，天气变得暖和起来，街边的咖啡馆坐满了聊天的客人。"
    "下午三点，一场小雨悄悄落下，行人们撑起了五颜六色的雨伞。"
    "雨停以后，天边出现了一道彩虹，大家纷纷拿出手机拍照。"
    "傍晚，夕阳把整个城市染成了金色，人们陆续回家，准备晚饭。"
)[:300]

EN_300 = (
    "The morning train left the station at seven, carrying commuters toward the city. "
    "Outside the window, fields of wheat rolled past under a pale blue sky. "
    "A child pressed her face against the glass and counted the cows she could see. "
    "Her father read the news, folding the paper carefully after every page. "
    "When the train slowed near the river, everyone looked up at the old bridge."
)[:300]


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
    assert body["status"] == "ok" and body["model_loaded"] is True
    assert body["sample_rate"] == 24000
    assert body["engines"]["kokoro"]["model_loaded"] is True


async def test_openapi_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/tts" in spec["paths"] and "/v1/tts/stream" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
