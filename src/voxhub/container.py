"""Builds the long-lived parts of voxhub (engines, services, stores) from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from voxhub.asr.options import ASROptions
from voxhub.asr.pool import ASREnginePool
from voxhub.asr.vad import VadConfig
from voxhub.db.engine import database_engine
from voxhub.db.migrate import upgrade
from voxhub.engines.base import EngineOptions
from voxhub.engines.pool import EnginePool
from voxhub.engines.remote_options import remote_options
from voxhub.jobs.celery_app import make_celery
from voxhub.jobs.event_bus import RedisEventPublisher
from voxhub.jobs.events import EventLog
from voxhub.jobs.files import JobFiles
from voxhub.jobs.queue import CeleryJobQueue
from voxhub.jobs.reconciler import Reconciler
from voxhub.jobs.retention import Retention
from voxhub.jobs.service import JobService
from voxhub.jobs.store import JobStore
from voxhub.services.synthesis import Synthesizer
from voxhub.services.voices import VoiceCatalog
from voxhub.settings import Settings
from voxhub.store.factory import object_store
from voxhub.store.files import ResultFiles
from voxhub.store.objects import ObjectStore
from voxhub.subtitles.cues import CueRules
from voxhub.voices.references import ReferenceFetcher, ReferenceLimits
from voxhub.voices.registry import VoiceRegistry
from voxhub.voices.samples import VoiceSamples
from voxhub.voices.store import VoiceStore
from voxhub.webhooks.ssrf import CallbackPolicy
from voxhub.webhooks.wiring import Webhooks


@dataclass
class Container:
    """What one process holds: one model per engine, shared by every request."""

    settings: Settings
    engines: EnginePool
    voices: VoiceCatalog
    synthesizer: Synthesizer
    objects: ObjectStore
    results: ResultFiles
    cue_rules: CueRules
    job_store: JobStore
    event_log: EventLog
    job_files: JobFiles
    job_queue: CeleryJobQueue
    jobs: JobService
    reconciler: Reconciler
    retention: Retention
    webhooks: Webhooks
    asr_engines: ASREnginePool
    voice_registry: VoiceRegistry
    voice_samples: VoiceSamples

    @classmethod
    def build(cls, settings: Settings, engines: EnginePool | None = None) -> Container:
        """Everything from settings; pass `engines` to share already-loaded models."""
        engines = engines or EnginePool(
            EngineOptions(
                threads=settings.engines.threads,
                model_dir=settings.engines.model_dir,
                fault_file=settings.engines.fault_file,
                remote=remote_options(settings.engines.remote),
            ),
            enabled=settings.engines.enabled,
        )
        # nothing below connects yet: the database, broker and object store are reached on
        # first use (but storage settings that cannot work fail here, at start-up)
        objects = object_store(settings)
        database = database_engine(settings.database)
        # other processes learn of new job events through Redis when there is one
        publishers = [RedisEventPublisher(settings.events_redis)] if settings.events_redis else []
        store = JobStore(database, listeners=publishers)
        registry = voice_registry(settings, database, objects, engines, store)
        voices = VoiceCatalog(engines, settings.engines.default, registered=registry)
        synthesizer = Synthesizer(
            voices,
            max_chars=settings.online.max_chars,
            max_sentence_chars=settings.online.max_sentence_chars,
            sentence_pause=settings.online.sentence_pause,
        )
        rules = CueRules(
            max_lines=settings.subtitles.max_lines,
            cjk_chars_per_line=settings.subtitles.cjk_chars_per_line,
            latin_chars_per_line=settings.subtitles.latin_chars_per_line,
        )
        celery = make_celery(settings)
        queue = CeleryJobQueue(celery, settings.jobs)
        webhooks = Webhooks.build(settings, database, celery)
        store.add_listener(webhooks.dispatcher)
        job_files = JobFiles(objects, settings.scratch_dir)
        return cls(
            settings=settings,
            engines=engines,
            voices=voices,
            synthesizer=synthesizer,
            objects=objects,
            results=ResultFiles(objects),
            cue_rules=rules,
            job_store=store,
            event_log=EventLog(database),
            job_files=job_files,
            job_queue=queue,
            jobs=JobService(store, queue, synthesizer, settings.jobs, webhooks.policy),
            reconciler=Reconciler(
                store,
                queue,
                settings.jobs,
                settings.broker_dir / "processed",
                sweeps=[webhooks.sweep.run_once],
            ),
            retention=Retention(store, job_files),
            webhooks=webhooks,
            voice_registry=registry,
            voice_samples=VoiceSamples(
                registry,
                synthesizer,
                objects,
                {"zh": settings.voices.sample_text_zh, "en": settings.voices.sample_text_en},
            ),
            asr_engines=asr_engine_pool(settings),
        )

    def migrate_embedded(self) -> None:
        """Bring the embedded SQLite database up to date (blocking). A database named by
        VOXHUB_DATABASE_URL is shared and is migrated by `voxhub migrate` instead."""
        if not self.settings.database_url:
            upgrade(self.job_store.engine)

    def preload(self) -> None:
        """Load the engines named in settings now (blocking), so first requests are fast."""
        for name in self.settings.engines.preload:
            if name in self.engines.enabled:
                self.engines.get(name)
        for name in self.settings.asr.preload:
            if name in self.asr_engines.enabled:
                self.asr_engines.get(name)


def voice_registry(
    settings: Settings, database: Engine, objects: ObjectStore, engines: EnginePool, jobs: JobStore
) -> VoiceRegistry:
    limits = settings.voices
    return VoiceRegistry(
        VoiceStore(database),
        objects,
        engines,
        jobs,
        # reference audio by URL: the same address rules as webhooks
        ReferenceFetcher(
            CallbackPolicy(settings.webhooks.allow_hosts),
            limits.fetch_timeout,
            limits.max_reference_bytes,
        ),
        ReferenceLimits(
            max_bytes=limits.max_reference_bytes,
            min_seconds=limits.min_reference_seconds,
            max_seconds=limits.max_reference_seconds,
            min_rate=limits.min_reference_rate,
        ),
    )


def asr_engine_pool(settings: Settings) -> ASREnginePool:
    """The speech recognition engines of one process (loaded on first use)."""
    asr = settings.asr
    options = ASROptions(
        threads=asr.threads,
        model_dir=asr.model_dir,
        cache_dir=str(settings.data_dir / "models"),
        workers=asr.workers,
        beam_size=asr.beam_size,
        file_beam_size=asr.file_beam_size,
        vad=VadConfig(
            threshold=asr.vad_threshold,
            min_speech=asr.vad_min_speech,
            min_silence=asr.vad_min_silence,
            padding=asr.vad_padding,
        ),
    )
    return ASREnginePool(options, enabled=asr.enabled)
