"""Format names, media types and accepted sample rates."""

from __future__ import annotations

import pytest

from voxhub.audio.formats import (
    ACCEPTED_RATES,
    AudioFormat,
    check_output,
    encoded_rate,
    parse_format,
)
from voxhub.errors import UnsupportedFormat, UnsupportedSampleRate


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wav", AudioFormat.WAV),
        ("WAVE", AudioFormat.WAV),
        ("mp3", AudioFormat.MP3),
        ("Mpeg", AudioFormat.MP3),
        ("opus", AudioFormat.OPUS),
        ("ogg", AudioFormat.OPUS),
        ("flac", AudioFormat.FLAC),
        ("pcm", AudioFormat.PCM),
        ("PCM16", AudioFormat.PCM),
        ("raw", AudioFormat.PCM),
        ("l16", AudioFormat.PCM),
        (" mp3 ", AudioFormat.MP3),
        ("AAC", AudioFormat.AAC),
        ("adts", AudioFormat.AAC),
    ],
)
def test_parse_format_accepts_extensions_and_aliases(name: str, expected: AudioFormat) -> None:
    assert parse_format(name) is expected


@pytest.mark.parametrize("name", ["m4a", "", "wav2", "vorbis"])
def test_parse_format_rejects_unknown_names_listing_the_supported_ones(name: str) -> None:
    with pytest.raises(UnsupportedFormat) as caught:
        parse_format(name)
    assert "wav, mp3, opus, flac, pcm, aac" in caught.value.message


def test_extensions_and_media_types() -> None:
    assert [f.extension for f in AudioFormat] == ["wav", "mp3", "opus", "flac", "pcm", "aac"]
    assert AudioFormat.WAV.media_type(24000) == "audio/wav"
    assert AudioFormat.MP3.media_type(None) == "audio/mpeg"
    assert AudioFormat.OPUS.media_type(48000) == "audio/ogg; codecs=opus"
    assert AudioFormat.FLAC.media_type(16000) == "audio/flac"
    assert AudioFormat.AAC.media_type(24000) == "audio/aac"
    assert AudioFormat.PCM.media_type(24000) == "audio/L16; rate=24000; channels=1"
    assert AudioFormat.PCM.media_type(None) == "audio/L16"


@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_check_output_accepts_every_listed_rate(fmt: AudioFormat) -> None:
    for rate in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000):
        check_output(fmt, rate)


@pytest.mark.parametrize("rate", [0, 7999, 44000, 96000, -24000])
def test_check_output_rejects_other_rates_listing_accepted_ones(rate: int) -> None:
    with pytest.raises(UnsupportedSampleRate) as caught:
        check_output(AudioFormat.MP3, rate)
    message = caught.value.message
    assert f"{rate} Hz" in message
    assert all(str(accepted) in message for accepted in ACCEPTED_RATES)


def test_encoded_rate_raises_opus_to_the_next_native_rate() -> None:
    expected = {8000: 8000, 11025: 12000, 22050: 24000, 32000: 48000, 44100: 48000}
    assert {rate: encoded_rate(AudioFormat.OPUS, rate) for rate in expected} == expected
    assert encoded_rate(AudioFormat.MP3, 22050) == 22050
    assert encoded_rate(AudioFormat.WAV, 44100) == 44100
