"""Encode float samples as wav, mp3, opus, flac, aac or raw PCM16, whole or progressively.

Opus only runs at 8, 12, 16, 24 or 48 kHz: at any other accepted rate the samples are
resampled to the next higher of those before encoding (22050 -> 24000, 44100 -> 48000),
and the file reports that rate (see `voxhub.audio.formats.encoded_rate`).

Streaming (`StreamEncoder`), per format:

- pcm: raw little-endian PCM16, returned as fed.
- wav: a header whose RIFF and data sizes are set near 0xFFFFFFFF ("length unknown", the
  usual streaming convention; libsndfile and Python's `wave` read up to the end of the
  data, as the tests check), then PCM16 as fed.
- opus: Ogg pages as libsndfile completes them (one per second of audio). libsndfile only
  appends to an Ogg file, never going back to fix it up, so the stream is a complete file.
- mp3: frames as LAME completes them. A whole mp3 file starts with an Info frame that LAME
  fills in (seeking back) only at the end; a stream cannot wait for that, so the blank
  placeholder frame is left out. Without it decoders estimate the duration from the frame
  size, which is why mp3 is always constant bitrate, and they cannot trim LAME's encoder
  delay: the stream decodes to about 1100 more samples of leading silence plus padding.
- flac: buffered and returned by `finish()`. FLAC's header holds the sample count, which is
  only known at the end; libsndfile rejects a FLAC stream whose header says "unknown".
- aac: ADTS frames as FFmpeg's encoder completes them (libsndfile has no AAC; see
  `voxhub.audio.aac`). Like a stream's mp3, it decodes with the encoder's priming in front.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf

from voxhub.audio.aac import AacStream, AdtsWriter
from voxhub.audio.formats import AudioFormat, encoded_rate
from voxhub.audio.resample import StreamResampler, resample

Samples = npt.NDArray[np.float32]

_SOUNDFILE_TYPES: dict[AudioFormat, tuple[str, str]] = {
    AudioFormat.WAV: ("WAV", "PCM_16"),
    AudioFormat.FLAC: ("FLAC", "PCM_16"),
    AudioFormat.MP3: ("MP3", "MPEG_LAYER_III"),
    AudioFormat.OPUS: ("OGG", "OPUS"),
}

# (rates below, lowest kbps, highest kbps, chosen kbps) for MPEG-2.5, MPEG-2 and MPEG-1:
# libsndfile maps compression level 0..1 linearly from the highest bitrate to the lowest.
# The chosen bitrates keep speech clear at each family's rates.
_MP3_BITRATES: tuple[tuple[int, int, int, int], ...] = (
    (16000, 8, 64, 32),
    (32000, 8, 160, 64),
    (48001, 32, 320, 128),
)

_MAX_32 = 0xFFFFFFFF
_WAV_HEADER_SIZE = 44
_EMPTY: Samples = np.zeros(0, np.float32)


def encode(samples: Samples, sample_rate: int, fmt: AudioFormat) -> bytes:
    """Encode a whole clip; opus output may be at a higher rate (see the module doc)."""
    rate = encoded_rate(fmt, sample_rate)
    clipped = _clip(resample(samples, sample_rate, rate))
    if fmt is AudioFormat.PCM:
        return _pcm16(clipped)
    if fmt is AudioFormat.AAC:
        aac = AacStream(rate)
        return aac.write(clipped) + aac.close(_EMPTY)
    buffer = io.BytesIO()
    with _open_writer(buffer, fmt, rate) as file:
        file.write(_never_empty(clipped))
    return buffer.getvalue()


class StreamEncoder:
    """Encode audio piece by piece for progressive HTTP responses.

    `feed()` returns the bytes that are ready (maybe none), `finish()` the rest; the
    concatenation is one decodable file holding every sample fed. `sample_rate` is the
    rate of the output, which for opus may be higher than the rate fed (see module doc).
    """

    def __init__(self, fmt: AudioFormat, sample_rate: int) -> None:
        self.format = fmt
        self.sample_rate = encoded_rate(fmt, sample_rate)
        self._resampler = (
            StreamResampler(sample_rate, self.sample_rate)
            if self.sample_rate != sample_rate
            else None
        )
        self._backend = _backend(fmt, self.sample_rate)
        self._finished = False

    def feed(self, samples: Samples) -> bytes:
        self._check_open()
        if self._resampler is not None:
            samples = self._resampler.process(samples)
        return self._backend.write(_clip(samples))

    def finish(self) -> bytes:
        self._check_open()
        self._finished = True
        tail = self._resampler.process(_EMPTY, last=True) if self._resampler else _EMPTY
        return self._backend.close(_clip(tail))

    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError("StreamEncoder.finish() was already called; start a new encoder.")


class _RawBackend:
    """PCM16 after an optional fixed header (wav) that goes out with the first bytes."""

    def __init__(self, header: bytes) -> None:
        self._header = header

    def write(self, samples: Samples) -> bytes:
        data = self._header + _pcm16(samples)
        self._header = b""
        return data

    def close(self, tail: Samples) -> bytes:
        return self.write(tail)


class _SoundFileBackend:
    """libsndfile writing into a `_Sink`, whose finished bytes are passed on when progressive."""

    def __init__(self, fmt: AudioFormat, sample_rate: int, progressive: bool) -> None:
        self._sink = _Sink()
        self._file = _open_writer(self._sink, fmt, sample_rate)
        self._progressive = progressive
        # mp3 streams leave out LAME's blank Info frame, once it is recognisable
        self._strip_mp3_placeholder = fmt is AudioFormat.MP3
        self._written = 0

    def write(self, samples: Samples) -> bytes:
        if len(samples):
            self._file.write(samples)
            self._written += len(samples)
        return self._take(final=False) if self._progressive else b""

    def close(self, tail: Samples) -> bytes:
        if len(tail) or not self._written:
            self._file.write(_never_empty(tail))
        self._file.close()
        return self._take(final=True)

    def _take(self, final: bool) -> bytes:
        if not self._strip_mp3_placeholder:
            return self._sink.release()
        skip = _mp3_placeholder_length(self._sink.pending)
        if skip is None and not final:
            return b""
        self._strip_mp3_placeholder = False
        return self._sink.release()[skip or 0 :]


class _Sink:
    """A seekable, write-only file for libsndfile whose leading bytes can be released.

    Bytes before the release point have been sent. When libsndfile closes an mp3 file it
    goes back to fill in the Info frame there; such late writes are dropped, since the
    stream has already left that frame out. Unreleased bytes can be rewritten freely.
    """

    def __init__(self) -> None:
        self._released = 0
        self._pending = bytearray()
        self._position = 0

    @property
    def pending(self) -> bytes:
        return bytes(self._pending)

    def release(self) -> bytes:
        data = bytes(self._pending)
        self._released += len(data)
        self._pending.clear()
        return data

    def write(self, data: bytes) -> int:
        size = len(data)
        start = self._position - self._released
        self._position += size
        if start < 0:
            data = data[-start:]
            start = 0
        end = start + len(data)
        if end > len(self._pending):
            self._pending.extend(bytes(end - len(self._pending)))
        self._pending[start:end] = data
        return size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        origins = {
            io.SEEK_SET: 0,
            io.SEEK_CUR: self._position,
            io.SEEK_END: self._released + len(self._pending),
        }
        self._position = max(0, origins[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position


def _backend(fmt: AudioFormat, sample_rate: int) -> _RawBackend | _SoundFileBackend | AacStream:
    if fmt is AudioFormat.PCM:
        return _RawBackend(b"")
    if fmt is AudioFormat.WAV:
        return _RawBackend(_wav_stream_header(sample_rate))
    if fmt is AudioFormat.AAC:
        return AacStream(sample_rate)
    return _SoundFileBackend(fmt, sample_rate, progressive=fmt is not AudioFormat.FLAC)


def _open_writer(file: Any, fmt: AudioFormat, sample_rate: int) -> sf.SoundFile:
    container, subtype = _SOUNDFILE_TYPES[fmt]
    options: dict[str, Any] = {}
    if fmt is AudioFormat.MP3:
        options = {"compression_level": _mp3_compression(sample_rate), "bitrate_mode": "CONSTANT"}
    return sf.SoundFile(file, "w", sample_rate, 1, subtype=subtype, format=container, **options)


def _mp3_compression(sample_rate: int) -> float:
    """The libsndfile compression level that gives our chosen bitrate at this rate."""
    for below, lowest, highest, chosen in _MP3_BITRATES:
        if sample_rate < below:
            return (highest - chosen) / (highest - lowest)
    raise ValueError(f"mp3 cannot be written at {sample_rate} Hz.")


def _mp3_placeholder_length(head: bytes) -> int | None:
    """Length of LAME's blank Info frame at the start (0 if absent), None if undecided.

    The placeholder is a frame header followed by zeros up to the next frame header;
    once filled in it holds "Xing"/"Info" after the side info, so it is not mistaken.
    """
    if len(head) < 2:
        return None
    if not _is_frame_sync(head, 0):
        return 0
    zeros_end = 4
    while zeros_end < len(head) and head[zeros_end] == 0:
        zeros_end += 1
    if zeros_end + 1 >= len(head):
        return None
    # 32 bytes is the longest side info, so a shorter run is a real frame's data
    return zeros_end if zeros_end - 4 >= 32 and _is_frame_sync(head, zeros_end) else 0


def _is_frame_sync(data: bytes, index: int) -> bool:
    return data[index] == 0xFF and data[index + 1] & 0xE0 == 0xE0


def _wav_stream_header(sample_rate: int) -> bytes:
    """A PCM16 mono WAV header for data of unknown length."""
    # the largest even data size whose RIFF size (data + 36) still fits in 32 bits
    data_size = (_MAX_32 - (_WAV_HEADER_SIZE - 8)) & ~1
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", data_size + _WAV_HEADER_SIZE - 8),
            b"WAVEfmt ",
            struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16),
            b"data",
            struct.pack("<I", data_size),
        )
    )


def _clip(samples: npt.NDArray[np.floating]) -> Samples:
    # libsndfile wraps, rather than clips, out-of-range floats when converting to integers
    return np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)


def _pcm16(samples: Samples) -> bytes:
    return np.round(samples * 32767.0).astype("<i2").tobytes()


def _never_empty(samples: Samples) -> Samples:
    # libsndfile writes no valid mp3/opus/flac file for zero samples; one silent one is
    return samples if len(samples) else np.zeros(1, np.float32)


class AudioFileWriter:
    """Write a long recording to a file piece by piece; memory stays flat whatever its length.

    The file appears under `path` only once `close()` succeeds (written next to it, then
    renamed), so readers never see a half-written file. `sample_rate` is the file's rate.
    """

    def __init__(
        self, path: Path, fmt: AudioFormat, sample_rate: int, input_rate: int | None = None
    ) -> None:
        """`input_rate` is the rate of the samples written, when it differs from the file's."""
        self.path = path
        self.sample_rate = encoded_rate(fmt, sample_rate)
        source_rate = input_rate or sample_rate
        self._partial = path.with_name(path.name + ".part")
        self._resampler = (
            StreamResampler(source_rate, self.sample_rate)
            if self.sample_rate != source_rate
            else None
        )
        self._raw = self._partial.open("wb") if fmt is AudioFormat.PCM else None
        self._aac = AdtsWriter(self._partial, self.sample_rate) if fmt is AudioFormat.AAC else None
        self._file = (
            None
            if self._raw or self._aac
            else _open_writer(str(self._partial), fmt, self.sample_rate)
        )
        self.frames = 0

    def write(self, samples: Samples) -> None:
        if self._resampler is not None:
            samples = self._resampler.process(samples)
        self._put(_clip(samples))

    def write_pcm16(self, pcm: npt.NDArray[np.int16]) -> None:
        """16-bit samples, written untouched unless the file needs another rate (a long
        job's merge writes hundreds of millions of them: no conversion is the fast path)."""
        if self._resampler is not None or self._aac is not None:
            self.write((pcm.astype(np.float32) / 32767.0).astype(np.float32))
            return
        if not len(pcm):
            return
        self.frames += len(pcm)
        if self._raw is not None:
            self._raw.write(pcm.astype("<i2", copy=False).tobytes())
        elif self._file is not None:
            self._file.write(pcm)

    def close(self) -> None:
        if self._resampler is not None:
            self._put(_clip(self._resampler.process(_EMPTY, last=True)))
        if self._raw is not None:
            self._raw.close()
        elif self._aac is not None:
            self._aac.close()
        elif self._file is not None:
            if self.frames == 0:
                self._file.write(_never_empty(_EMPTY))
            self._file.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        if self._raw is not None:
            self._raw.close()
        elif self._aac is not None:
            self._aac.close()
        elif self._file is not None:
            self._file.close()
        self._partial.unlink(missing_ok=True)

    def _put(self, samples: Samples) -> None:
        if not len(samples):
            return
        self.frames += len(samples)
        if self._raw is not None:
            self._raw.write(_pcm16(samples))
        elif self._aac is not None:
            self._aac.write(samples)
        elif self._file is not None:
            self._file.write(samples)
