"""OpenAI's official Python SDK, unchanged, against voxhub's OpenAI routes on a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import httpx
import openai
import pytest
from openai import OpenAI

from tests.conftest import make_settings, serve_app
from tests.support.asr_speech import CHINESE, ENGLISH, ENGLISH_VOICE, utterance, wav_bytes
from tests.support.openai_speech import (
    OPENAI_RATE,
    audio_seconds,
    engine_of,
    read_events,
    remote_engine_of,
    speak_raw,
)
from voxhub.container import Container
from voxhub.engine_setup import asr_engine_pool
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.settings import (
    AdmissionSettings,
    ASRSettings,
    EngineSettings,
    RemoteEngineSettings,
    Settings,
)
from voxhub.subtitles.formats import parse_srt

pytestmark = pytest.mark.kokoro

Format = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]
FORMATS: tuple[Format, ...] = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/L16; rate=24000",
}
TEXT = "The quick brown fox jumps over the lazy dog. It was a bright cold day in April."
WORDS = len(TEXT.split())
SPOKEN = " ".join(ENGLISH[:2])


@pytest.fixture(scope="module")
def asr_pool(tmp_path_factory: pytest.TempPathFactory) -> ASREnginePool:
    # a beam of one: the formats are the point here, not whisper's last bit of accuracy
    asr = ASRSettings(file_beam_size=1)
    return asr_engine_pool(Settings(data_dir=tmp_path_factory.mktemp("openai-asr"), asr=asr))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool, asr_pool: ASREnginePool
) -> Iterator[str]:
    settings = make_settings(tmp_path_factory.mktemp("openai"))
    # loaded before the server starts, which waits for its preload only a few seconds
    engine_pool.get(settings.engines.default)
    with serve_app(settings, Container.build(settings, engine_pool, asr_pool)) as url:
        yield url


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[OpenAI]:
    # what a migrating team changes: the base URL (the key is not checked by voxhub)
    with OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0, timeout=300) as sdk:
        yield sdk


@pytest.fixture(scope="module")
def speech_wav(engine_pool: EnginePool) -> bytes:
    return wav_bytes(utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE))


def test_speech_in_every_format_decodes_to_the_length_of_the_text(client: OpenAI) -> None:
    seconds = {}
    for fmt in FORMATS:
        raw = client.audio.speech.with_raw_response.create(
            input=TEXT,
            response_format=fmt,
            model="espeak",
            voice="espeak:en-us",
        )
        assert raw.headers["content-type"].startswith(MEDIA_TYPES[fmt]), fmt
        assert raw.headers["x-voxhub-sample-rate"] == str(OPENAI_RATE)
        seconds[fmt] = audio_seconds(raw.content, fmt)
    # espeak speaks about 175 words a minute, with a pause between the two sentences
    assert 0.25 < seconds["wav"] / WORDS < 0.6, seconds
    # raw pcm is the wav's samples without the header, at OpenAI's 24 kHz
    assert seconds["pcm"] == pytest.approx(seconds["wav"], abs=0.02)
    for fmt in ("mp3", "opus", "aac", "flac"):
        # lossy codecs add their priming and pad their last frame: a tenth of a second at most
        assert seconds[fmt] == pytest.approx(seconds["wav"], abs=0.1), (fmt, seconds)


def test_speech_streams_sentence_by_sentence(client: OpenAI) -> None:
    text = "Good morning to you. See you again soon."
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="onyx", input=text, response_format="pcm"
    ) as response:
        assert response.status_code == 200
        chunks = [chunk for chunk in response.iter_bytes() if chunk]
    whole = b"".join(chunks)
    # the first sentence arrived on its own, before the others were spoken
    assert len(chunks) >= 2
    assert len(chunks[0]) < 0.8 * len(whole)
    assert 1.0 < len(whole) / 2 / OPENAI_RATE < 10.0


def test_sse_stream_carries_base64_deltas_then_done(client: OpenAI) -> None:
    direct = client.audio.speech.create(
        input=TEXT, response_format="wav", model="espeak", voice="espeak:en-us"
    ).read()
    with client.audio.speech.with_streaming_response.create(
        input=TEXT, response_format="wav", stream_format="sse", model="espeak", voice="espeak:en-us"
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_events(response.iter_bytes())
    kinds = [event["type"] for event in events]
    assert kinds[-1] == "speech.audio.done" and kinds.count("speech.audio.done") == 1
    assert kinds[:-1] and set(kinds[:-1]) == {"speech.audio.delta"}
    audio = b"".join(event["audio_bytes"] for event in events[:-1])
    # the deltas make up the file the audio stream sends (espeak is not bit-exact run to run)
    assert audio[:44] == direct[:44]
    assert audio_seconds(audio, "wav") == pytest.approx(audio_seconds(direct, "wav"), abs=0.05)
    usage = events[-1]["usage"]
    assert usage["input_tokens"] == len(TEXT) and usage["total_tokens"] >= usage["input_tokens"]


def test_openai_voices_map_to_the_default_engine_by_language_and_gender(client: OpenAI) -> None:
    def voice_of(voice: Any, text: str = "Hi.", model: str = "tts-1") -> str:
        return speak_raw(client, model=model, voice=voice, input=text).headers["x-voxhub-voice"]

    # kokoro's speaker styles: four female ones and one male one, each speaking zh and en
    assert voice_of("alloy") == "kokoro:jm_kumo"  # the default voice of English
    assert voice_of("alloy", "好。") == "kokoro:jm_kumo"  # the default voice of Chinese
    assert voice_of("onyx") == voice_of("cedar", "好。") == "kokoro:jm_kumo"
    females = [
        voice_of(name, model=model)
        for name, model in (("coral", "tts-1-hd"), ("nova", "gpt-4o-mini-tts"), ("sage", "tts-1"))
    ]
    assert len(set(females)) == 3 and all(v.startswith("kokoro:jf_") for v in females)
    # a model naming an engine: espeak has only male voices, so a female name gets the default
    assert voice_of("nova", model="espeak") == "espeak:en-us"
    assert voice_of("onyx", "早上好。", model="espeak") == "espeak:cmn"
    # voxhub's own voices, as a name or as OpenAI's custom voice object
    assert voice_of("espeak:en-gb") == "espeak:en-gb"
    assert voice_of({"id": "espeak:en-gb"}) == "espeak:en-gb"


def test_a_registered_alias_wins_over_an_openai_voice_name(client: OpenAI, server: str) -> None:
    with httpx.Client(base_url=server) as http:
        created = http.post(
            "/v1/voices",
            data={"name": "House voice", "engine_voice": "espeak:en-gb-x-rp", "aliases": "shimmer"},
        )
        assert created.status_code == 201, created.text
        try:
            raw = speak_raw(client, model="tts-1", voice="shimmer", input="Good morning.")
            # the registered voice speaks with its engine voice
            assert raw.headers["x-voxhub-voice"] == "espeak:en-gb-x-rp"
        finally:
            assert http.delete(f"/v1/voices/{created.json()['id']}").status_code == 204
    after = speak_raw(client, model="tts-1", voice="shimmer", input="Good morning.")
    assert after.headers["x-voxhub-voice"].startswith("kokoro:jf_")


def test_speed_outside_the_engines_range_is_held_to_it(client: OpenAI) -> None:
    def seconds(speed: float) -> float:
        audio = client.audio.speech.create(
            input=TEXT, response_format="pcm", speed=speed, model="espeak", voice="espeak:en-us"
        )
        return audio_seconds(audio.read(), "pcm")

    normal, double = seconds(1.0), seconds(2.0)
    assert 0.4 < double / normal < 0.75
    # OpenAI takes 0.25-4.0; voxhub's engines speak 0.5-2.0 and hold a request to that range
    assert seconds(4.0) == pytest.approx(double, rel=0.02)
    assert seconds(0.25) == pytest.approx(seconds(0.5), rel=0.02)


def test_input_beyond_the_online_limit_up_to_openais_4096(client: OpenAI, server: str) -> None:
    text = " ".join(ENGLISH * 8)  # about 1,500 characters: five times /v1/tts's limit
    assert 1000 < len(text) <= 4096
    audio = client.audio.speech.create(
        input=text, response_format="pcm", model="espeak", voice="espeak:en-us"
    ).read()
    assert 0.25 < audio_seconds(audio, "pcm") / len(text.split()) < 0.6
    with httpx.Client(base_url=server) as http:
        canonical = http.post("/v1/tts", json={"text": text, "voice": "espeak:en-us"})
    assert canonical.status_code == 413
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(input="a" * 4097, model="espeak", voice="espeak:en-us")
    assert "4096" in caught.value.message
    assert caught.value.body == {
        "message": "input: String should have at most 4096 characters",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_request",
    }


def test_speech_round_trips_through_transcription(client: OpenAI) -> None:
    cases: tuple[tuple[str, str, Format], ...] = (
        (SPOKEN, "en", "aac"),
        (CHINESE[0], "zh", "mp3"),
    )
    for text, language, fmt in cases:
        audio = client.audio.speech.create(
            model="tts-1-hd", voice="onyx", input=text, response_format=fmt
        ).read()
        heard = client.audio.transcriptions.create(
            model="whisper-1", file=(f"speech.{fmt}", audio), language=language
        )
        assert word_error_rate(text, heard.text) <= 0.2, (text, heard.text)


def test_voxhubs_own_remote_engine_speaks_through_these_routes(
    client: OpenAI, server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second voxhub whose `remote` engine is an OpenAI client of the first one."""
    remote = RemoteEngineSettings(
        protocol="openai", base_url=server, model="tts-1", voices=["onyx", "nova"]
    )
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("openai-relay"),
        engines=EngineSettings(default="remote", preload=[], enabled=["remote"], remote=remote),
    )
    relay_container = Container.build(settings)
    try:
        with (
            serve_app(settings, relay_container) as relay,
            OpenAI(base_url=f"{relay}/v1", api_key="unused", max_retries=0, timeout=300) as sdk,
        ):
            raw = sdk.audio.speech.with_raw_response.create(
                model="remote", voice="onyx", input=SPOKEN, response_format="mp3"
            )
    finally:
        # the engine's connections to the first voxhub
        remote_engine_of(relay_container.engines).close()
    # the relay's engine voice named like OpenAI's voice; the first voxhub picked kokoro's
    assert raw.headers["x-voxhub-voice"] == "remote:onyx"
    heard = client.audio.transcriptions.create(
        model="whisper-1", file=("relay.mp3", raw.content), language="en"
    )
    assert word_error_rate(SPOKEN, heard.text) <= 0.2, heard.text


def test_transcription_in_every_response_format(client: OpenAI, speech_wav: bytes) -> None:
    upload = ("speech.wav", speech_wav)
    plain = client.audio.transcriptions.create(model="whisper-1", file=upload)
    assert word_error_rate(SPOKEN, plain.text) <= 0.2, plain.text
    text = client.audio.transcriptions.create(
        model="whisper-1", file=upload, response_format="text"
    )
    assert word_error_rate(SPOKEN, text) <= 0.2, text
    srt = client.audio.transcriptions.create(model="whisper-1", file=upload, response_format="srt")
    cues = parse_srt(srt)
    assert len(cues) >= 2 and word_error_rate(SPOKEN, " ".join(c.text for c in cues)) <= 0.2
    vtt = client.audio.transcriptions.create(model="whisper-1", file=upload, response_format="vtt")
    assert vtt.startswith("WEBVTT") and "-->" in vtt
    verbose = client.audio.transcriptions.create(
        model="whisper-1",
        file=upload,
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    assert verbose.language == "english" and verbose.duration > 3
    assert verbose.words and verbose.segments
    assert all(0 <= w.start < w.end <= verbose.duration for w in verbose.words)
    # every field of OpenAI's segment object is there for the SDK to read
    for segment in verbose.segments:
        assert segment.tokens == [] and segment.temperature == 0.0
        assert segment.avg_logprob <= 0.0 and segment.compression_ratio > 0
        assert 0.0 <= segment.no_speech_prob <= 1.0 and segment.seek == 0
    words_only = client.audio.transcriptions.create(
        model="whisper-1",
        file=upload,
        response_format="verbose_json",
        timestamp_granularities=["word"],
    )
    assert words_only.words and words_only.segments is None


def test_models_list_openai_names_and_voxhub_engines(client: OpenAI) -> None:
    listed = {model.id: model for model in client.models.list()}
    assert {"tts-1", "tts-1-hd", "gpt-4o-mini-tts", "whisper-1"} <= set(listed)
    assert {"kokoro", "espeak", "whisper", "pocketsphinx"} <= set(listed)
    assert all(m.object == "model" and m.owned_by == "voxhub" for m in listed.values())
    tts = client.models.retrieve("tts-1")
    assert tts.id == "tts-1" and tts.created == listed["tts-1"].created
    assert (tts.model_extra or {})["engine"] == "kokoro"
    assert (client.models.retrieve("whisper-1").model_extra or {})["engine"] == "whisper"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-5")
    assert caught.value.code == "model_not_found" and caught.value.param == "model"
    assert "tts-1" in str(caught.value.body)


@pytest.mark.parametrize(
    ("call", "error", "code", "param", "words"),
    [
        (dict(model="tts-1", voice="nobody", input="Hi."), openai.NotFoundError, "voice_not_found",
         "voice", "GET /v1/voices"),
        (dict(model="tts-9", voice="alloy", input="Hi."), openai.NotFoundError, "model_not_found",
         "model", "tts-1-hd"),
        (dict(model="tts-1", voice="alloy", input="  "), openai.BadRequestError,
         "empty_text", "input", "empty"),
        (dict(model="tts-1", voice="alloy", input="Hi.", speed=5.0),
         openai.BadRequestError, "invalid_request", None, "speed"),
        (dict(model="tts-1", voice="alloy", input="Hi.", response_format="ogg"),
         openai.BadRequestError, "invalid_request", None, "response_format"),
    ],
)  # fmt: skip
def test_speech_errors_are_raised_by_the_sdk_with_openais_error_object(
    client: OpenAI,
    call: dict[str, Any],
    error: type[openai.APIStatusError],
    code: str,
    param: str | None,
    words: str,
) -> None:
    with pytest.raises(error) as caught:
        client.audio.speech.create(**call)
    raised = caught.value
    assert isinstance(raised.body, dict)
    assert set(raised.body) == {"message", "type", "param", "code"}
    assert (raised.code, raised.param, raised.type) == (code, param, "invalid_request_error")
    assert words in raised.body["message"]


def test_transcription_errors_are_raised_by_the_sdk(client: OpenAI, speech_wav: bytes) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(model="whisper-1", file=("a.wav", b"not audio"))
    assert (caught.value.code, caught.value.param) == ("undecodable_audio", "file")
    with pytest.raises(openai.NotFoundError) as missing:
        client.audio.transcriptions.create(model="tts-1", file=("a.wav", speech_wav))
    assert missing.value.code == "model_not_found" and "whisper-1" in missing.value.message
    with pytest.raises(openai.BadRequestError) as language:
        client.audio.transcriptions.create(
            model="pocketsphinx", file=("a.wav", speech_wav), language="zh"
        )
    assert (language.value.code, language.value.param) == ("unsupported_language", "language")


@pytest.fixture
def busy_server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    """One synthesis at a time and no queue, with a fake engine slow enough to hold the slot."""
    settings = make_settings(tmp_path_factory.mktemp("openai-busy"), default="fake").model_copy(
        update={"admission": AdmissionSettings(short_concurrency=1, short_queue=0)}
    )
    fake = engine_of(engine_pool, "fake")
    fake.delay_per_char = 0.02
    try:
        with serve_app(settings, Container.build(settings, engine_pool)) as url:
            yield url
    finally:
        fake.delay_per_char = 0.0


def test_overload_is_a_rate_limit_error_with_retry_after(busy_server: str) -> None:
    with OpenAI(base_url=f"{busy_server}/v1", api_key="unused", max_retries=0) as sdk:
        # six sentences of about 0.4 s each: the slot stays taken for seconds
        text = " ".join(f"Sentence number {n} is here." for n in range(6))
        with sdk.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=text, response_format="pcm"
        ) as holding:
            assert holding.status_code == 200
            with pytest.raises(openai.RateLimitError) as caught:
                sdk.audio.speech.create(model="tts-1", voice="alloy", input="Hi.")
            holding.read()
    assert caught.value.code == "overloaded" and caught.value.type == "rate_limit_error"
    assert int(caught.value.response.headers["retry-after"]) >= 1


def test_a_failure_after_the_first_delta_ends_the_events_with_an_error(
    busy_server: str, engine_pool: EnginePool
) -> None:
    fake = engine_of(engine_pool, "fake")
    fake.fail_on = "broken"
    try:
        with (
            OpenAI(base_url=f"{busy_server}/v1", api_key="unused", max_retries=0) as sdk,
            sdk.audio.speech.with_streaming_response.create(
                model="fake",
                voice="alloy",
                input="This one is fine. This one is broken.",
                response_format="pcm",
                stream_format="sse",
            ) as response,
        ):
            assert response.status_code == 200
            events = read_events(response.iter_bytes())
    finally:
        fake.fail_on = None
    assert [e["type"] for e in events] == ["speech.audio.delta", "error"]
    assert events[-1]["error"]["code"] == "engine_unavailable"
    assert events[-1]["error"]["type"] == "server_error"
    # the first sentence was spoken and sent before the second failed
    assert 0.3 < audio_seconds(events[0]["audio_bytes"], "pcm") < 2.0
