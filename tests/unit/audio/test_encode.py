"""Whole-file and streaming encoding, checked by decoding the result."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import pytest
import soundfile as sf

from voxhub.audio.encode import StreamEncoder, encode
from voxhub.audio.formats import ACCEPTED_RATES, AudioFormat

RATE = 24000
FILE_FORMATS = [AudioFormat.WAV, AudioFormat.MP3, AudioFormat.OPUS, AudioFormat.FLAC]
PROGRESSIVE = [AudioFormat.WAV, AudioFormat.PCM, AudioFormat.MP3, AudioFormat.OPUS]
LOSSY = {AudioFormat.MP3, AudioFormat.OPUS}
MP3_FRAME = 1152


def speechlike(rate: int, seconds: float) -> np.ndarray:
    """A rising tone whose loudness wobbles, so only the right alignment correlates well."""
    t = np.arange(round(rate * seconds)) / rate
    envelope = 0.5 + 0.4 * np.sin(2 * np.pi * 2.5 * t)
    phase = 2 * np.pi * (200 * t + 150 * t**2)  # 200 Hz rising by 300 Hz per second
    return (0.6 * envelope * np.sin(phase)).astype(np.float32)


def decode(data: bytes, fmt: AudioFormat, rate: int = RATE) -> tuple[np.ndarray, int]:
    if fmt is AudioFormat.PCM:
        return np.frombuffer(data, "<i2").astype(np.float32) / 32767, rate
    samples, decoded_rate = sf.read(io.BytesIO(data), dtype="float32")
    return samples, decoded_rate


def best_correlation(decoded: np.ndarray, original: np.ndarray, max_lag: int = 2400) -> float:
    """Highest normalized correlation over shifts of up to max_lag samples either way.

    Codecs delay the audio a little (mp3 by about 1100 samples), so compare the best
    alignment; computed with FFTs to stay fast.
    """
    size = min(len(original), len(decoded)) - 2 * max_lag
    reference = original[max_lag : max_lag + size].astype(np.float64)
    window = decoded[: size + 2 * max_lag].astype(np.float64)
    length = 1 << (len(window) + size).bit_length()
    products = np.fft.irfft(
        np.fft.rfft(window, length) * np.conj(np.fft.rfft(reference, length)), length
    )[: 2 * max_lag + 1]
    energy = np.concatenate(([0.0], np.cumsum(window**2)))
    window_energy = energy[size : size + 2 * max_lag + 1] - energy[: 2 * max_lag + 1]
    scores = products / np.sqrt(window_energy * np.sum(reference**2) + 1e-12)
    return float(np.max(scores))


def stream(fmt: AudioFormat, samples: np.ndarray, rate: int = RATE, seed: int = 0) -> list[bytes]:
    """Feed random-sized chunks (some empty); the last item is what finish() returned."""
    encoder = StreamEncoder(fmt, rate)
    sizes = np.random.default_rng(seed).choice([0, 1, 100, 960, 2400, 7000], size=len(samples))
    parts, start = [], 0
    for size in sizes:
        if start >= len(samples):
            break
        parts.append(encoder.feed(samples[start : start + int(size)]))
        start += int(size)
    return [*parts, encoder.finish()]


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_encode_decodes_to_the_same_audio(fmt: AudioFormat) -> None:
    samples = speechlike(RATE, 1.0)
    decoded, rate = decode(encode(samples, RATE, fmt), fmt)
    assert rate == RATE
    assert len(decoded) == len(samples)
    if fmt in LOSSY:
        assert best_correlation(decoded, samples) > 0.95
    else:
        assert np.max(np.abs(decoded - samples)) < 1e-4


def test_pcm_is_headerless_little_endian_int16_and_clipped() -> None:
    data = encode(np.array([0.0, 0.5, -0.5, 1.5, -2.0], np.float32), RATE, AudioFormat.PCM)
    assert struct.unpack("<5h", data) == (0, 16384, -16384, 32767, -32767)


def test_out_of_range_samples_are_clipped_not_wrapped() -> None:
    loud = np.full(1000, 1.7, np.float32)
    decoded, _ = decode(encode(loud, RATE, AudioFormat.WAV), AudioFormat.WAV)
    assert np.all(decoded > 0.99)


@pytest.mark.parametrize("rate", ACCEPTED_RATES)
def test_mp3_is_written_at_every_accepted_rate(rate: int) -> None:
    samples = speechlike(rate, 0.3)
    decoded, decoded_rate = decode(encode(samples, rate, AudioFormat.MP3), AudioFormat.MP3)
    assert decoded_rate == rate
    assert len(decoded) == len(samples)


@pytest.mark.parametrize(("rate", "native"), [(11025, 12000), (22050, 24000), (44100, 48000)])
def test_opus_raises_other_rates_to_the_next_native_one(rate: int, native: int) -> None:
    samples = speechlike(rate, 1.0)
    decoded, decoded_rate = decode(encode(samples, rate, AudioFormat.OPUS), AudioFormat.OPUS)
    assert decoded_rate == native
    assert abs(len(decoded) - round(len(samples) * native / rate)) <= 2


@pytest.mark.parametrize("fmt", [*FILE_FORMATS, AudioFormat.PCM])
def test_empty_input_still_makes_a_valid_file(fmt: AudioFormat) -> None:
    empty = np.zeros(0, np.float32)
    decoded, _ = decode(encode(empty, RATE, fmt), fmt)
    assert len(decoded) <= 1
    encoder = StreamEncoder(fmt, RATE)
    decoded, _ = decode(encoder.feed(empty) + encoder.finish(), fmt)
    assert len(decoded) <= 1


@pytest.mark.parametrize("fmt", [*FILE_FORMATS, AudioFormat.PCM])
def test_stream_decodes_to_everything_fed(fmt: AudioFormat) -> None:
    samples = speechlike(RATE, 2.0)
    decoded, rate = decode(b"".join(stream(fmt, samples)), fmt)
    assert rate == RATE
    if fmt is AudioFormat.MP3:
        # no Info frame in a stream: LAME's delay and final-frame padding stay in
        assert len(samples) <= len(decoded) <= len(samples) + 2 * MP3_FRAME
    else:
        assert len(decoded) == len(samples)
    assert best_correlation(decoded, samples) > (0.95 if fmt in LOSSY else 0.9999)


@pytest.mark.parametrize("fmt", PROGRESSIVE)
def test_progressive_formats_return_most_bytes_before_finish(fmt: AudioFormat) -> None:
    samples = speechlike(RATE, 3.0)
    encoder = StreamEncoder(fmt, RATE)
    second = RATE
    first_feed = encoder.feed(samples[:second])
    early = first_feed + b"".join(
        encoder.feed(samples[i : i + 4800]) for i in range(second, len(samples), 4800)
    )
    late = encoder.finish()
    assert first_feed
    assert len(early) > 0.6 * len(early + late)


def test_flac_stream_is_buffered_until_finish() -> None:
    samples = speechlike(RATE, 1.0)
    parts = stream(AudioFormat.FLAC, samples)
    assert not any(parts[:-1])
    decoded, _ = decode(parts[-1], AudioFormat.FLAC)
    assert len(decoded) == len(samples)


def test_wav_stream_header_announces_unknown_length_and_wave_reads_it() -> None:
    samples = speechlike(RATE, 0.5)
    data = b"".join(stream(AudioFormat.WAV, samples))
    riff_size, data_size = struct.unpack("<I", data[4:8])[0], struct.unpack("<I", data[40:44])[0]
    assert data_size >= 0xFFFFFF00 and riff_size == data_size + 36
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getframerate() == RATE
        assert reader.getsampwidth() == 2
        frames = reader.readframes(10**9)
    assert len(frames) == 2 * len(samples)


def test_opus_stream_at_a_non_native_rate_is_resampled() -> None:
    samples = speechlike(22050, 2.0)
    encoder = StreamEncoder(AudioFormat.OPUS, 22050)
    assert encoder.sample_rate == 24000
    data = b"".join(encoder.feed(samples[i : i + 3000]) for i in range(0, len(samples), 3000))
    decoded, rate = decode(data + encoder.finish(), AudioFormat.OPUS)
    assert rate == 24000
    assert abs(len(decoded) - 48000) <= 3
    assert best_correlation(decoded, speechlike(24000, 2.0)) > 0.95


def test_tiny_mp3_stream_keeps_its_info_frame() -> None:
    encoder = StreamEncoder(AudioFormat.MP3, RATE)
    assert encoder.feed(np.zeros(10, np.float32)) == b""
    decoded, _ = decode(encoder.finish(), AudioFormat.MP3)
    assert len(decoded) == 10


def test_feeding_after_finish_is_an_error() -> None:
    encoder = StreamEncoder(AudioFormat.WAV, RATE)
    encoder.finish()
    with pytest.raises(RuntimeError, match="finish"):
        encoder.feed(np.zeros(10, np.float32))
