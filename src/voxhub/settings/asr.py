"""Speech recognition settings: engines, streaming connections and their limits."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ASRSettings(BaseModel):
    """Speech recognition: engines, streaming connections and their limits."""

    default: str = "whisper"
    enabled: list[str] = Field(default_factory=lambda: ["whisper", "pocketsphinx"])
    # engines loaded at start-up; others are loaded by their first session
    preload: list[str] = Field(default_factory=list)
    # threads of one decode; 0 lets the runtime choose
    threads: int = 0
    model_dir: str | None = None
    # decodes one whisper model runs at the same time (a replica each); 0 means one per core
    workers: int = Field(0, ge=0)
    # whisper beam size of streaming finals (partials use 1) and of file transcription
    beam_size: int = Field(1, ge=1)
    file_beam_size: int = Field(5, ge=1)
    # voice activity detection: speech probability threshold; shortest speech, pause that
    # ends a segment and padding kept around it, in seconds
    vad_threshold: float = Field(0.5, gt=0, lt=1)
    vad_min_speech: float = Field(0.25, ge=0)
    vad_min_silence: float = Field(0.5, ge=0)
    vad_padding: float = Field(0.2, ge=0)
    # a real-time stream's speech is cut into segments no longer than this (at the quietest
    # point of their last seconds) even without pauses, each decoded while the speaker talks
    stream_segment_seconds: float = Field(10.0, ge=4, le=28)
    # file transcription (POST /v1/asr/transcriptions): upload size and audio length limits,
    # and files decoded at once per process
    max_upload_bytes: int = Field(100_000_000, ge=1)
    max_file_seconds: float = Field(1800.0, gt=0)
    file_concurrency: int = Field(2, ge=1)
    # real-time streams (WS /v1/asr/stream, /ws/asr); more connections are refused (1013)
    max_connections: int = Field(20, ge=1)
    # a connection that sends nothing for this many seconds is closed
    idle_timeout: float = Field(300.0, gt=0)
    # an utterance is finalized when it reaches this length
    max_utterance_seconds: float = Field(60.0, gt=0)
    # larger frames (binary audio or JSON) are refused with an error frame
    max_frame_bytes: int = Field(262_144, ge=1024)
    # WebSocket protocol pings keep idle proxies from dropping connections
    ping_interval: float = Field(20.0, gt=0)
    # threads decoding for every connection; 0 means one per core
    decode_threads: int = Field(0, ge=0)
    # the least time between two partial results of one stream, before load stretches it
    partial_interval: float = Field(0.5, gt=0)
    # sample rates a client may stream at; audio is resampled to the engine's rate
    min_sample_rate: int = 8000
    max_sample_rate: int = 48000
