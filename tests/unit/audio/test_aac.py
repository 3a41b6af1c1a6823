"""AAC in ADTS: whole files, progressive streams and long files, checked by decoding them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.unit.audio.test_encode import best_correlation, speechlike, stream
from voxhub.audio.decode import decode_audio
from voxhub.audio.encode import AudioFileWriter, StreamEncoder, encode
from voxhub.audio.formats import ACCEPTED_RATES, AudioFormat

RATE = 24000
FRAME = 1024
# the encoder's priming, which ADTS cannot tell decoders to trim
PRIMING = 1024


def decoded_length_fits(decoded: int, samples: int) -> bool:
    """Priming in front, the last frame padded: never shorter, at most two frames longer."""
    return samples <= decoded <= samples + PRIMING + FRAME


def test_encode_decodes_to_the_same_audio() -> None:
    samples = speechlike(RATE, 1.0)
    data = encode(samples, RATE, AudioFormat.AAC)
    # every ADTS frame starts with the 12-bit sync word
    assert data[0] == 0xFF and data[1] & 0xF0 == 0xF0
    decoded = decode_audio(data)
    assert decoded.container == "aac"
    assert decoded.sample_rate == RATE
    assert decoded_length_fits(len(decoded.samples), len(samples))
    assert best_correlation(decoded.samples, samples) > 0.95


@pytest.mark.parametrize("rate", ACCEPTED_RATES)
def test_aac_is_written_at_every_accepted_rate(rate: int) -> None:
    samples = speechlike(rate, 0.5)
    decoded = decode_audio(encode(samples, rate, AudioFormat.AAC))
    assert decoded.sample_rate == rate
    assert decoded_length_fits(len(decoded.samples), len(samples))


def test_stream_decodes_to_everything_fed() -> None:
    samples = speechlike(RATE, 2.0)
    decoded = decode_audio(b"".join(stream(AudioFormat.AAC, samples)))
    assert decoded_length_fits(len(decoded.samples), len(samples))
    assert best_correlation(decoded.samples, samples) > 0.95


def test_stream_returns_most_bytes_before_finish() -> None:
    samples = speechlike(RATE, 3.0)
    encoder = StreamEncoder(AudioFormat.AAC, RATE)
    early = b"".join(encoder.feed(samples[i : i + 4800]) for i in range(0, len(samples), 4800))
    late = encoder.finish()
    assert len(early) > 0.8 * len(early + late)
    # what has arrived so far already plays: ADTS needs nothing from the end
    assert len(decode_audio(early).samples) > 2 * RATE


def test_empty_input_still_makes_a_valid_stream() -> None:
    assert len(decode_audio(encode(np.zeros(0, np.float32), RATE, AudioFormat.AAC)).samples)
    encoder = StreamEncoder(AudioFormat.AAC, RATE)
    assert len(decode_audio(encoder.finish()).samples) <= PRIMING + FRAME


def test_file_writer_takes_float_and_pcm16_samples(tmp_path: Path) -> None:
    samples = speechlike(RATE, 1.0)
    path = tmp_path / "out.aac"
    writer = AudioFileWriter(path, AudioFormat.AAC, RATE)
    writer.write(samples[: RATE // 2])
    writer.write_pcm16(np.round(samples[RATE // 2 :] * 32767).astype(np.int16))
    writer.close()
    assert writer.frames == len(samples)
    decoded = decode_audio(path.read_bytes())
    assert decoded_length_fits(len(decoded.samples), len(samples))
    assert best_correlation(decoded.samples, samples) > 0.95


def test_aborted_file_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.aac"
    writer = AudioFileWriter(path, AudioFormat.AAC, RATE)
    writer.write(speechlike(RATE, 0.2))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
