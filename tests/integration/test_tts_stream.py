"""POST /v1/tts/stream over a real uvicorn: audio arrives sentence by sentence."""

from __future__ import annotations

import io
import time

import httpx
import pytest
import soundfile as sf

from tests.integration.test_tts_api import ZH_300


@pytest.mark.kokoro
def test_first_audio_bytes_arrive_before_synthesis_completes(live_server: str) -> None:
    received = bytearray()
    with httpx.Client(base_url=live_server, timeout=120) as client:
        started = time.perf_counter()
        with client.stream("POST", "/v1/tts/stream", json={"text": ZH_300}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("audio/wav")
            assert response.headers["x-voxhub-voice"] == "kokoro:jm_kumo"
            chunk_times = []
            for chunk in response.iter_bytes():
                chunk_times.append(time.perf_counter() - started)
                received += chunk
        total = time.perf_counter() - started
    # many sentences, each sent as soon as it is spoken
    assert len(chunk_times) >= 5
    first_audio_at = chunk_times[0]
    assert first_audio_at < total / 3, (first_audio_at, total)
    data, rate = sf.read(io.BytesIO(bytes(received)), dtype="float32")
    assert rate == 24000 and len(data) / rate > 20


def test_stream_in_other_formats_decodes(live_server: str) -> None:
    text = "First sentence here. Second one follows! And a third?"
    with httpx.Client(base_url=live_server, timeout=60) as client:
        for fmt, media in [("mp3", "audio/mpeg"), ("flac", "audio/flac"), ("opus", "audio/ogg")]:
            response = client.post(
                "/v1/tts/stream", json={"text": text, "voice": "espeak:en-us", "format": fmt}
            )
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(media)
            data, rate = sf.read(io.BytesIO(response.content), dtype="float32")
            assert len(data) / rate > 1.5
            # espeak speaks at 22050 Hz; opus files can only be 24000 Hz and say so up front
            assert int(response.headers["x-voxhub-sample-rate"]) == rate
