"""The remote engine against a local server speaking Replicate's and OpenAI's protocols."""

from __future__ import annotations

import base64
import io
import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import soundfile as sf

from tests.support.remote_server import SECONDS_PER_CHAR, RemoteServer
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engine_setup import remote_options
from voxhub.engines.pool import EnginePool
from voxhub.engines.registry import available_tts_engines
from voxhub.engines.tts.base import SynthesisParams, Voice, VoiceReference
from voxhub.engines.tts.options import EngineOptions, RemoteEngineOptions
from voxhub.engines.tts.remote.engine import RemoteEngine
from voxhub.errors import CloningNotSupported, EngineUnavailable, RemoteTimeout
from voxhub.settings import EngineSettings, RemoteEngineSettings, Settings
from voxhub.subtitles.formats import parse_srt

TEXT = "Hello from the remote voice."
TRANSCRIPT = "This is how I sound when I read aloud."

EngineFactory = Callable[..., RemoteEngine]


@pytest.fixture
def server() -> Iterator[RemoteServer]:
    with RemoteServer().running() as running:
        yield running


@pytest.fixture
def make_engine(server: RemoteServer) -> Iterator[EngineFactory]:
    """Engines against the server, quick to poll and retry; closed after the test."""
    made: list[RemoteEngine] = []

    def make(**changes: object) -> RemoteEngine:
        options = RemoteEngineOptions(
            protocol="replicate",
            base_url=server.url,
            token=server.token,
            model="voxhub/cloner",
            voices=("alloy", "nova"),
            languages=("en", "zh"),
            sample_rate=24_000,
            poll_interval=0.02,
            prediction_timeout=20.0,
            retry_initial=0.01,
            retry_max=0.5,
        )
        engine = RemoteEngine.load(EngineOptions(remote=replace(options, **changes)))  # type: ignore[arg-type]
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture(scope="module")
def reference_wav() -> bytes:
    """A real recording to clone from: espeak reading the transcript, as WAV bytes."""
    espeak = EnginePool(EngineOptions(), enabled=["espeak"]).get("espeak")
    spoken = espeak.synthesize(TRANSCRIPT, espeak.default_voice("en"), "en", SynthesisParams())
    buffer = io.BytesIO()
    sf.write(buffer, spoken.samples, spoken.sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _cloning_voice(audio: bytes, defaults: SynthesisParams | None = None) -> Voice:
    reference = VoiceReference(audio, "audio/wav", TRANSCRIPT, duration=2.0)
    return Voice(
        id="tpl_reader",
        name="reader",
        engine="remote",
        languages=("en",),
        reference=reference,
        defaults=defaults,
    )


def _expected_seconds(text: str, speed: float = 1.0) -> float:
    return len(text) * SECONDS_PER_CHAR / speed


def _data_uri_bytes(uri: str, media_type: str) -> bytes:
    prefix = f"data:{media_type};base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :])


# ---------------------------------------------------------------------------------------
# Replicate-style predictions


def test_cloning_voice_reference_arrives_intact(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    engine = make_engine()
    assert engine.capabilities.cloning
    assert not engine.capabilities.word_timings
    assert engine.capabilities.parameters == {"temperature", "top_p", "top_k", "instruction"}

    audio = engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())

    assert audio.sample_rate == 24_000
    assert audio.words == ()
    # the tone's length encodes how many characters the server received
    assert audio.duration == pytest.approx(_expected_seconds(TEXT), rel=0.01)
    [create] = server.creations()
    assert create.path == "/v1/models/voxhub/cloner/predictions"
    assert create.headers["authorization"] == f"Bearer {server.token}"
    sent = create.body["input"]
    assert sent["tts_text"] == TEXT
    assert sent["source_transcript"] == TRANSCRIPT
    assert _data_uri_bytes(sent["source_audio"], "audio/wav") == reference_wav
    assert sent["task"] == "zero-shot voice clone"
    assert "instruction" not in sent and "temperature" not in sent
    # the prediction was polled through its lifecycle, then its output fetched
    [prediction] = server.predictions.values()
    statuses = [s for s, _ in itertools.groupby(prediction.reported)]
    assert statuses[-1] == "succeeded"
    assert set(statuses) <= {"starting", "processing", "succeeded"}
    assert len(server.requests("GET", f"/v1/predictions/{prediction.id}")) >= 1
    [download] = server.requests("GET", "/files/")
    # the output lives on another origin: the token must not travel there
    assert "authorization" not in download.headers


def test_instruction_knobs_and_voice_defaults_forwarded(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    engine = make_engine(version="5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa")
    voice = _cloning_voice(reference_wav, SynthesisParams(temperature=0.5, top_k=10))
    params = SynthesisParams(temperature=0.7, top_p=0.9, instruction="用开心的语气说")

    engine.synthesize(TEXT, voice, "en", params)

    [create] = server.creations()
    assert create.path == "/v1/predictions"
    assert create.body["version"].startswith("5c7d5dc6")
    sent = create.body["input"]
    assert sent["instruction"] == "用开心的语气说"
    assert sent["task"] == "Instructed Voice Generation"
    # the request's own knobs win; the voice's defaults fill the ones it left unset
    assert (sent["temperature"], sent["top_p"], sent["top_k"]) == (0.7, 0.9, 10)
    assert sent["source_transcript"] == TRANSCRIPT


def test_prefer_wait_returns_the_finished_prediction_without_polling(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    engine = make_engine(wait=10)
    audio = engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert audio.duration == pytest.approx(_expected_seconds(TEXT), rel=0.01)
    [create] = server.creations()
    assert create.headers["prefer"] == "wait=10"
    assert server.requests("GET", "/v1/predictions/") == []


def test_failed_prediction_reports_the_remote_error(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_error = "CUDA out of memory while loading the speaker prompt"
    engine = make_engine()
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert "failed" in caught.value.message
    assert "CUDA out of memory while loading the speaker prompt" in caught.value.message
    assert server.requests("GET", "/files/") == []


def test_slow_prediction_times_out_and_is_cancelled(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.processing_seconds = 600.0
    engine = make_engine(prediction_timeout=0.3)
    with pytest.raises(RemoteTimeout) as caught:
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert "did not finish within 0.3 s" in caught.value.message
    [prediction] = server.predictions.values()
    [cancel] = server.requests("POST", "/v1/predictions/")
    assert cancel.path == f"/v1/predictions/{prediction.id}/cancel"
    assert cancel.headers["authorization"] == f"Bearer {server.token}"
    assert prediction.canceled
    # every poll happened before the cancel
    polls = server.requests("GET", f"/v1/predictions/{prediction.id}")
    assert polls and all(p.at < cancel.at for p in polls)


# ---------------------------------------------------------------------------------------
# Retries and refusals


def test_retries_after_500_then_succeeds(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_next(500, times=2)
    engine = make_engine(max_retries=3)
    audio = engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert audio.duration == pytest.approx(_expected_seconds(TEXT), rel=0.01)
    assert [r.status for r in server.creations()] == [500, 500, 201]


def test_gives_up_after_max_retries(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_next(503, times=10)
    engine = make_engine(max_retries=2)
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert "503" in caught.value.message and "3 times" in caught.value.message
    assert len(server.creations()) == 3


def test_no_retry_on_a_client_error(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_next(422)
    engine = make_engine(max_retries=3)
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert "rejected the request (422)" in caught.value.message
    assert len(server.creations()) == 1


def test_429_waits_for_retry_after(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_next(429, retry_after="1")
    engine = make_engine(retry_initial=0.01, retry_max=5.0)
    engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    refused, accepted = server.creations()
    assert (refused.status, accepted.status) == (429, 201)
    # the retry came only once the second the server asked for had passed
    assert accepted.at >= refused.at + 1.0


def test_retry_after_is_capped(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    server.fail_next(429, retry_after="3600")
    engine = make_engine(retry_initial=0.01, retry_max=0.2)
    done = threading.Event()

    def call() -> None:
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
        done.set()

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done.is_set(), "an hour-long Retry-After was not capped by retry_max"
    assert [r.status for r in server.creations()] == [429, 201]


@pytest.mark.parametrize("protocol", ["replicate", "openai"])
def test_wrong_token_is_a_clear_error(
    server: RemoteServer, make_engine: EngineFactory, protocol: str
) -> None:
    engine = make_engine(protocol=protocol, model="voxhub/cloner", token="r8_wrong_secret")
    voice = engine.voices()[0]
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize(TEXT, voice, "en", SynthesisParams())
    message = caught.value.message
    assert "401" in message and "VOXHUB_ENGINES__REMOTE__TOKEN" in message
    assert "r8_wrong_secret" not in message
    assert len(server.requests(path="/v1/")) == 1, "a 401 must not be retried"


def test_unreachable_service_is_retried_then_reported(make_engine: EngineFactory) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = make_engine(base_url=f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize(TEXT, engine.voices()[0], "en", SynthesisParams())
    assert "Cannot reach" in caught.value.message and "2 attempts" in caught.value.message


# ---------------------------------------------------------------------------------------
# OpenAI-compatible speech


def test_openai_speech(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes
) -> None:
    engine = make_engine(protocol="openai", model="tts-1", base_url=f"{server.url}/v1")
    assert not engine.capabilities.cloning
    assert engine.capabilities.parameters == {"instruction"}
    voice = next(v for v in engine.voices() if v.id == "remote:nova")

    audio = engine.synthesize(TEXT, voice, "en", SynthesisParams(speed=2.0, instruction="Calmly."))

    assert audio.duration == pytest.approx(_expected_seconds(TEXT, speed=2.0), rel=0.01)
    [call] = server.requests("POST", "/v1/audio/speech")
    assert call.headers["authorization"] == f"Bearer {server.token}"
    assert call.body == {
        "model": "tts-1",
        "voice": "nova",
        "input": TEXT,
        "response_format": "wav",
        "speed": 2.0,
        "instructions": "Calmly.",
    }
    # a cloning voice is refused, never spoken with a stock voice instead
    with pytest.raises(CloningNotSupported, match="cannot clone"):
        engine.synthesize(TEXT, _cloning_voice(reference_wav), "en", SynthesisParams())
    assert len(server.requests("POST", "/v1/audio/speech")) == 1


# ---------------------------------------------------------------------------------------
# Concurrency


@pytest.mark.parametrize("protocol", ["replicate", "openai"])
def test_concurrency_limit_is_honoured(
    server: RemoteServer, make_engine: EngineFactory, reference_wav: bytes, protocol: str
) -> None:
    limit = 2
    server.processing_seconds = 0.3
    engine = make_engine(protocol=protocol, model="voxhub/cloner", max_concurrency=limit)
    voice = _cloning_voice(reference_wav) if protocol == "replicate" else engine.voices()[0]
    texts = [f"Sentence number {i} of the batch." for i in range(3 * limit)]

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        results = list(
            pool.map(lambda t: engine.synthesize(t, voice, "en", SynthesisParams()), texts)
        )

    for text, audio in zip(texts, results, strict=True):
        assert audio.duration == pytest.approx(_expected_seconds(text), rel=0.01)
    # never more than the limit at the server, and the limit was used (calls overlapped)
    assert server.max_in_flight == limit


# ---------------------------------------------------------------------------------------
# Settings, registry and the API


def test_registered_but_not_enabled_by_default() -> None:
    assert "remote" in available_tts_engines()
    assert "remote" not in EngineSettings().enabled
    secret = RemoteEngineSettings(token="r8_secret_value", model="a/b")
    assert "r8_secret_value" not in repr(secret)
    options = remote_options(secret)
    assert options.token == "r8_secret_value"
    assert "r8_secret_value" not in repr(options)


def test_unconfigured_engine_names_the_setting() -> None:
    options = remote_options(RemoteEngineSettings())
    with pytest.raises(EngineUnavailable, match="VOXHUB_ENGINES__REMOTE__MODEL"):
        RemoteEngine.load(EngineOptions(remote=options))


@pytest.mark.parametrize("protocol", ["openai", "replicate"])
async def test_api_tts_with_a_remote_voice_returns_audio_and_srt(
    server: RemoteServer, tmp_path: Path, protocol: str
) -> None:
    remote = RemoteEngineSettings(
        protocol=protocol,
        base_url=server.url,
        token=server.token,
        model="tts-1" if protocol == "openai" else "voxhub/cloner",
        voices=["alloy"],
        languages=["en"],
        poll_interval=0.02,
        # the cloning model takes its stock voice in a `voice` input
        inputs={"voice": "voice"},
    )
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(
            default="remote", preload=["remote"], enabled=["remote"], remote=remote
        ),
    )
    application = create_app(settings, Container.build(settings))
    text = "Hello there. This sentence comes from the remote engine."
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            response = await c.post("/v1/tts", json={"text": text, "voice": "remote:alloy"})
            assert response.status_code == 200, response.text
            body = response.json()
            audio = await c.get(body["audio_url"])
    assert body["voice"] == "remote:alloy"
    samples, rate = sf.read(io.BytesIO(audio.content), dtype="float32")
    duration = len(samples) / rate
    assert duration == pytest.approx(body["duration"], abs=0.01)
    assert body["words"] == []
    first, second = body["sentences"]
    assert first["text"] == "Hello there."
    assert first["start"] < first["end"] < second["start"] < second["end"]
    # each sentence arrived at the server on its own
    if protocol == "openai":
        sent = [r.body["input"] for r in server.requests("POST", "/v1/audio/speech")]
    else:
        sent = [r.body["input"]["tts_text"] for r in server.creations()]
        assert all(r.body["input"]["voice"] == "alloy" for r in server.creations())
    assert sent == ["Hello there.", "This sentence comes from the remote engine."]
    # the audio holds both tones, and the subtitles are timed along it
    assert duration >= _expected_seconds("".join(sent))
    cues = parse_srt(body["srt"])
    assert cues and "Hello there." in cues[0].text
    assert abs(cues[-1].end - duration) <= 0.05
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start < earlier.end <= later.start
