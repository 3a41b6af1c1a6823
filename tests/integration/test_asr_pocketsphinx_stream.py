"""Real speech (kokoro's English) streamed to pocketsphinx through both WebSocket routes and
the `voxhub asr-client` command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import serve_app
from tests.support.asr_support import SENTENCE, asr_settings, english_speech, write_wav, ws_url
from voxhub.audio.resample import resample
from voxhub.client.asr_stream import StreamClient
from voxhub.container import Container
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import EnginePool

pytestmark = pytest.mark.kokoro

MAX_WER = 0.2


@pytest.fixture(scope="module")
def speech(engine_pool: EnginePool) -> bytes:
    return english_speech(engine_pool)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("pocketsphinx"),
        default="pocketsphinx",
        preload=["pocketsphinx"],
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", ["/v1/asr/stream", "/ws/asr"])
async def test_speech_in_real_time_gives_partials_then_a_matching_final(
    server: str, speech: bytes, path: str
) -> None:
    async with await StreamClient.open(ws_url(server, path)) as client:
        if path == "/ws/asr":
            await client.next({"greeting"})
        await client.send(client.dialect.start("en", True, None))
        ready = await client.next({"ready", "error"}, 30)
        assert ready.get("engine") == "pocketsphinx", ready
        said = await client.utterance(speech, frame_ms=100, realtime=True)
    final = said.final
    assert client.dialect.kind(final) == "final", final
    # partials arrived while the audio was still being sent, long before the stop
    assert len(said.partials) >= 3
    assert said.partials[0][0] < said.audio_seconds / 2
    assert word_error_rate(SENTENCE, final["text"]) <= MAX_WER, final["text"]
    starts = [w["start"] for w in final["words"]]
    assert starts == sorted(starts)
    assert 0 < final["words"][-1]["end"] <= final["duration"] + 1e-6


@pytest.mark.parametrize("path", ["/v1/asr/stream", "/ws/asr"])
def test_asr_client_checks_pass_against_a_live_server(
    server: str, speech: bytes, tmp_path: Path, path: str
) -> None:
    wav = write_wav(tmp_path / "speech.wav", speech)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "voxhub.cli",
            "asr-client",
            str(wav),
            "--url",
            ws_url(server, path),
            "--language",
            "en",
            "--fast",
            "--checks",
            "--expect",
            SENTENCE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert done.returncode == 0, done.stdout + done.stderr
    names = [line.split(":")[0].split(maxsplit=1)[1] for line in lines]
    assert names == [
        "connect",
        "control messages",
        "audio before start",
        "audio",
        "full workflow",
        "several connections",
        "invalid messages",
    ]
    assert all(line.startswith("PASS") for line in lines)
    # the finals of the whole file were held against the sentence it says
    assert "(word error rate" in lines[4], lines[4]


def test_asr_client_streams_a_file_and_prints_partials_and_the_final(
    server: str, speech: bytes, tmp_path: Path
) -> None:
    # a 44.1 kHz stereo file: the client resamples and mixes it down
    samples = (np.frombuffer(speech, dtype="<i2") / 32768).astype(np.float32)
    stereo = np.repeat(resample(samples, 16_000, 44_100)[:, None], 2, axis=1)
    wav = tmp_path / "speech-44k.wav"
    soundfile.write(str(wav), stereo, 44_100, subtype="PCM_16")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "voxhub.cli",
            "asr-client",
            str(wav),
            "--url",
            ws_url(server),
            "--frame-ms",
            "200",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    partials = [line for line in done.stdout.splitlines() if line.startswith("partial")]
    finals = [line for line in done.stdout.splitlines() if line.startswith("final")]
    assert partials
    assert len(finals) == 1
    assert word_error_rate(SENTENCE, finals[0].removeprefix("final").strip()) <= MAX_WER
