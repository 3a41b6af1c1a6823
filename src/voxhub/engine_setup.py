"""Engine options from settings: how the speech models of one process load."""

from __future__ import annotations

from types import MappingProxyType

from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.vad import VadConfig
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.engines.tts.options import DEFAULT_INPUTS, EngineOptions, RemoteEngineOptions
from voxhub.settings import RemoteEngineSettings, Settings


def tts_engine_pool(settings: Settings) -> EnginePool:
    """The text-to-speech engines of one process (loaded on first use)."""
    return EnginePool(engine_options(settings), enabled=settings.engines.enabled)


def engine_options(settings: Settings) -> EngineOptions:
    """How the text-to-speech engines of this process load."""
    return EngineOptions(
        threads=settings.engines.threads,
        model_dir=settings.engines.model_dir,
        fault_file=settings.engines.fault_file,
        remote=remote_options(settings.engines.remote),
    )


def remote_options(settings: RemoteEngineSettings) -> RemoteEngineOptions:
    """The remote engine's options from its settings."""
    return RemoteEngineOptions(
        protocol=settings.protocol,
        base_url=settings.base_url,
        token=settings.token.get_secret_value(),
        model=settings.model,
        version=settings.version,
        voices=tuple(settings.voices),
        languages=tuple(settings.languages),
        sample_rate=settings.sample_rate,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        prediction_timeout=settings.prediction_timeout,
        poll_interval=settings.poll_interval,
        wait=settings.wait,
        max_retries=settings.max_retries,
        retry_initial=settings.retry_initial,
        retry_max=settings.retry_max,
        max_concurrency=settings.max_concurrency,
        inputs=MappingProxyType({**DEFAULT_INPUTS, **settings.inputs}),
        clone_task=settings.clone_task,
        instruct_task=settings.instruct_task,
    )


def asr_engine_pool(settings: Settings) -> ASREnginePool:
    """The speech recognition engines of one process (loaded on first use)."""
    asr = settings.asr
    options = ASROptions(
        threads=asr.threads,
        model_dir=asr.model_dir,
        cache_dir=str(settings.model_cache),
        workers=asr.workers,
        beam_size=asr.beam_size,
        file_beam_size=asr.file_beam_size,
        vad=VadConfig(
            threshold=asr.vad_threshold,
            min_speech=asr.vad_min_speech,
            min_silence=asr.vad_min_silence,
            padding=asr.vad_padding,
            max_stream_speech=asr.stream_segment_seconds,
        ),
    )
    return ASREnginePool(options, enabled=asr.enabled)
