"""File transcription: decode an upload, check its limits, recognize it with an engine."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from voxhub.audio.decode import decode_audio
from voxhub.engines.asr.base import Transcript
from voxhub.engines.asr.languages import resolve_language
from voxhub.engines.pool import ASREnginePool
from voxhub.errors import PayloadTooLarge


@dataclass(frozen=True, slots=True)
class TranscriptionLimits:
    max_bytes: int
    max_seconds: float


@dataclass(frozen=True, slots=True)
class FileTranscript:
    engine: str
    transcript: Transcript
    # a prompt was given and the engine took it (engines without hotwords ignore one)
    prompted: bool = False


class Transcriber:
    """Transcribes uploaded recordings with the process's speech recognition engines."""

    def __init__(self, engines: ASREnginePool, default_engine: str, limits: TranscriptionLimits):
        self._engines = engines
        self._default = default_engine
        self._limits = limits

    @property
    def limits(self) -> TranscriptionLimits:
        return self._limits

    def check_size(self, size: int) -> None:
        if size > self._limits.max_bytes:
            raise PayloadTooLarge(
                f"The file has {size:,} bytes; at most {self._limits.max_bytes:,} are accepted "
                "(VOXHUB_ASR__MAX_UPLOAD_BYTES). Send a shorter or more compressed recording."
            )

    async def transcribe(
        self,
        data: bytes,
        engine: str | None,
        language: str | None,
        word_timestamps: bool,
        limiter: anyio.CapacityLimiter | None = None,
        prompt: str | None = None,
    ) -> FileTranscript:
        """Like `transcribe_blocking`, in a worker thread (at most `limiter`'s many at once)."""
        self.check_size(len(data))
        return await anyio.to_thread.run_sync(
            self.transcribe_blocking,
            data,
            engine,
            language,
            word_timestamps,
            prompt,
            limiter=limiter,
        )

    def transcribe_blocking(
        self,
        data: bytes,
        engine: str | None,
        language: str | None,
        word_timestamps: bool,
        prompt: str | None = None,
    ) -> FileTranscript:
        """Decode and recognize a recording (wav, mp3, ogg/opus, webm, flac, ...).

        Checks, in order: size, engine, language, that the audio decodes, its duration.
        """
        self.check_size(len(data))
        name = engine or self._default
        recognizer = self._engines.get(name)
        capabilities = recognizer.capabilities
        spoken = resolve_language(language, capabilities, name)
        audio = decode_audio(data, capabilities.sample_rate)
        if audio.duration > self._limits.max_seconds:
            raise PayloadTooLarge(
                f"The recording lasts {audio.duration:.0f} s; files up to "
                f"{self._limits.max_seconds:.0f} s are transcribed (VOXHUB_ASR__MAX_FILE_SECONDS). "
                "Split it into shorter parts."
            )
        # like streams, an engine without hotwords recognizes without them (the response says so)
        prompt = prompt if capabilities.hotwords else None
        transcript = recognizer.transcribe(audio.samples, spoken, word_timestamps, prompt)
        return FileTranscript(engine=name, transcript=transcript, prompted=prompt is not None)
