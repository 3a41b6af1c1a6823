"""POST /v1/tts with the piper voice: English audio whose SRT cues follow its words."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import EngineSettings, Settings
from voxhub.subtitles.formats import parse_srt

# how users enable piper: next to the default engines, loaded on first use or at start-up
ENABLED = ["kokoro", "espeak", "piper"]
TEXT = (
    "The rain stopped at noon. We walked home along the river, "
    "and the birds began to sing again in the tall trees."
)


@pytest.fixture(scope="module")
def piper_pool() -> EnginePool:
    return EnginePool(EngineOptions(threads=2), enabled=ENABLED)


@pytest.fixture
async def client(tmp_path: Path, piper_pool: EnginePool) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="kokoro", preload=["piper"], enabled=ENABLED),
    )
    app = create_app(settings, Container.build(settings, piper_pool))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            yield c


async def test_piper_audio_and_srt_agree(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/tts", json={"text": TEXT, "voice": "piper:en_US-joe-medium", "format": "wav"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["voice"] == "piper:en_US-joe-medium"
    audio = await client.get(body["audio_url"])
    assert audio.status_code == 200
    data, rate = sf.read(io.BytesIO(audio.content), dtype="float32")
    assert rate == body["sample_rate"] == 22050
    duration = len(data) / rate
    assert abs(duration - body["duration"]) < 0.01
    assert float(np.abs(data).max()) > 0.1, "audio is silent"
    # about 22 words: between 4 and 12 seconds of speech
    assert 4 < duration < 12

    words = body["words"]
    assert [w["text"] for w in words] == re.findall(r"[A-Za-z]+", TEXT)
    cues = parse_srt(body["srt"])
    assert len(cues) >= 2, "a sentence and a long clause give more than one cue"
    assert abs(cues[-1].end - duration) <= 0.05
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start < earlier.end <= later.start
    # the cues show the words in order, each while it is spoken: a cue edge may cut
    # into a word by at most 50 ms
    remaining = list(words)
    for cue in cues:
        shown = re.findall(r"[A-Za-z]+", cue.text)
        own, remaining = remaining[: len(shown)], remaining[len(shown) :]
        assert [w["text"] for w in own] == shown
        assert own[0]["start"] >= cue.start - 0.05 and own[-1]["end"] <= cue.end + 0.05
        for word in own:
            assert cue.start <= (word["start"] + word["end"]) / 2 <= cue.end
        # speech sounds under every cue
        span = data[int(cue.start * rate) : int(cue.end * rate)]
        assert float(np.abs(span).max()) > 0.05
    assert not remaining
