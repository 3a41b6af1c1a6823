"""The one composition root: builds every long-lived part of a process from Settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from celery import Celery
from sqlalchemy import Engine

from voxhub.access import KeyLimits
from voxhub.db.engine import database_engine
from voxhub.db.migrate import upgrade
from voxhub.db.repositories.api_keys import ApiKeyStore
from voxhub.db.repositories.events import EventLog
from voxhub.db.repositories.jobs import JobStore
from voxhub.db.repositories.voices import VoiceStore
from voxhub.db.repositories.webhooks import DeliveryStore
from voxhub.engine_setup import asr_engine_pool, tts_engine_pool
from voxhub.engines.pool import ASREnginePool, EnginePool
from voxhub.objects.base import ObjectStore
from voxhub.objects.factory import object_store
from voxhub.objects.results import ResultFiles
from voxhub.services.admission import Admission, ClassStats
from voxhub.services.auth.gate import Gate
from voxhub.services.auth.keys import KeyRing
from voxhub.services.auth.limits import KeyLimiter
from voxhub.services.auth.tokens import TokenSigner, load_secret
from voxhub.services.events.bus import RedisEventPublisher
from voxhub.services.events.stream import EventSignals
from voxhub.services.jobs.files import JobFiles
from voxhub.services.jobs.reconciler import Reconciler
from voxhub.services.jobs.retention import Retention
from voxhub.services.jobs.runner import JobRunner
from voxhub.services.jobs.service import JobService
from voxhub.services.online import OnlineSynthesis
from voxhub.services.readiness import Readiness, assess
from voxhub.services.recognition.stats import ASRObserver
from voxhub.services.recognition.streams import ASRStreams
from voxhub.services.synthesis import Synthesizer
from voxhub.services.transcription import Transcriber, TranscriptionLimits
from voxhub.services.voice_samples import VoiceSamples
from voxhub.services.voices.catalog import VoiceCatalog
from voxhub.services.voices.references import ReferenceFetcher, ReferenceLimits
from voxhub.services.voices.registry import VoiceRegistry
from voxhub.services.voices.templates import TemplateSource
from voxhub.services.webhooks.courier import Courier
from voxhub.services.webhooks.dispatcher import WebhookDispatcher
from voxhub.services.webhooks.sender import Sender
from voxhub.services.webhooks.ssrf import CallbackPolicy
from voxhub.services.webhooks.sweep import WebhookSweep
from voxhub.settings import ASRSettings, Settings
from voxhub.subtitles.cues import CueRules
from voxhub.tasks.celery_app import make_celery
from voxhub.tasks.queue import CeleryJobQueue
from voxhub.tasks.runtime import TaskRuntime
from voxhub.tasks.webhook_queue import CeleryWebhookQueue


@dataclass
class Webhooks:
    """The webhook parts of one process."""

    policy: CallbackPolicy
    deliveries: DeliveryStore
    # a job store listener, in the API and in every worker
    dispatcher: WebhookDispatcher
    # runs the delivery task, in workers
    courier: Courier
    # run by the reconciler, in the API
    sweep: WebhookSweep


@dataclass
class ApiServices:
    """What one API process serves requests with, beyond the container; built in its loop."""

    admission: Admission
    online: OnlineSynthesis
    asr_streams: ASRStreams
    # files decoded at once by this process
    file_limiter: anyio.CapacityLimiter
    event_signals: EventSignals


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
    transcriber: Transcriber
    voice_registry: VoiceRegistry
    voice_samples: VoiceSamples
    # the cloning backend's templates: registered voices, or fetched from its template site
    templates: TemplateSource
    # API keys, tokens and per-key limits
    gate: Gate

    @classmethod
    def build(
        cls,
        settings: Settings,
        engines: EnginePool | None = None,
        asr_engines: ASREnginePool | None = None,
    ) -> Container:
        """Everything from settings; pass the pools to share already-loaded models."""
        engines = engines or tts_engine_pool(settings)
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
            partner_voices=settings.engines.partner_voices,
        )
        rules = CueRules(
            max_lines=settings.subtitles.max_lines,
            cjk_chars_per_line=settings.subtitles.cjk_chars_per_line,
            latin_chars_per_line=settings.subtitles.latin_chars_per_line,
        )
        celery = make_celery(settings)
        queue = CeleryJobQueue(celery, settings.jobs)
        webhooks = build_webhooks(settings, database, celery)
        store.add_listener(webhooks.dispatcher)
        job_files = JobFiles(objects, settings.scratch_dir)
        asr_engines = asr_engines or asr_engine_pool(settings)
        gate = build_gate(settings, database, store)
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
            jobs=JobService(
                store, queue, synthesizer, settings.jobs, webhooks.policy, gate.limiter
            ),
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
            asr_engines=asr_engines,
            transcriber=transcriber(settings.asr, asr_engines),
            templates=TemplateSource(
                registry, reference_fetcher(settings), settings.compat.cloning_template_url
            ),
            gate=gate,
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

    def readiness(self) -> Readiness:
        """Whether the database, broker and storage answer and the default engine is loaded
        (blocking)."""
        settings = self.settings
        return assess(
            self.job_store.engine,
            settings.broker,
            settings.broker_dir,
            self.objects,
            self.engines.loaded(),
            settings.engines.default,
        )

    def api_services(
        self,
        on_admission_change: Callable[[str, ClassStats], None] | None = None,
        asr_observer: ASRObserver | None = None,
    ) -> ApiServices:
        """The API process's own parts; call inside its event loop (limiters and signals
        belong to the loop that made them)."""
        settings = self.settings
        admission = Admission(settings.admission, on_change=on_admission_change)
        online = OnlineSynthesis(
            self.synthesizer,
            self.results,
            self.cue_rules,
            anyio.CapacityLimiter(settings.inference_slots),
            admission,
            quota=self.gate.limiter,
        )
        return ApiServices(
            admission=admission,
            online=online,
            asr_streams=ASRStreams(settings.asr, self.asr_engines, asr_observer),
            file_limiter=anyio.CapacityLimiter(settings.asr.file_concurrency),
            event_signals=EventSignals(asyncio.get_running_loop()),
        )


def worker_runtime(settings: Settings, app: Celery) -> TaskRuntime:
    """What one worker process's tasks run with (built in the process, on first use)."""
    container = Container.build(settings)
    runner = JobRunner(
        # the container's store: its listeners push job events to the API processes
        container.job_store,
        # the container's object store: chunks go where every other worker can read them
        container.job_files,
        container.synthesizer,
        settings.jobs,
        container.cue_rules,
        settings.online.sentence_pause,
    )
    return TaskRuntime(
        runner=runner,
        queue=CeleryJobQueue(app, settings.jobs),
        courier=container.webhooks.courier,
        preload=container.preload,
    )


def transcriber(asr: ASRSettings, engines: ASREnginePool) -> Transcriber:
    """File transcription with the process's speech recognition engines, within the limits."""
    limits = TranscriptionLimits(max_bytes=asr.max_upload_bytes, max_seconds=asr.max_file_seconds)
    return Transcriber(engines, asr.default, limits)


def build_gate(settings: Settings, database: Engine, jobs: JobStore) -> Gate:
    auth = settings.auth
    defaults = KeyLimits(
        requests_per_minute=auth.requests_per_minute,
        concurrent_jobs=auth.concurrent_jobs,
        characters_per_day=auth.characters_per_day,
        asr_connections=auth.asr_connections,
    )
    secret = auth.token_secret.get_secret_value()
    return Gate(
        enabled=auth.mode == "keys",
        keys=KeyRing(ApiKeyStore(database)),
        tokens=TokenSigner(lambda: load_secret(secret, settings.data_dir)),
        limiter=KeyLimiter(settings.limits_storage, defaults, jobs.active_count),
        token_seconds=auth.token_seconds,
        query_keys=auth.query_keys,
    )


def build_webhooks(settings: Settings, database: Engine, celery: Celery) -> Webhooks:
    config = settings.webhooks
    policy = CallbackPolicy(config.allow_hosts)
    deliveries = DeliveryStore(database)
    sender = Sender(policy, config.timeout)
    queue = CeleryWebhookQueue(celery, sender.time_limit)
    dispatcher = WebhookDispatcher(deliveries, queue, settings.server.public_url)
    return Webhooks(
        policy=policy,
        deliveries=deliveries,
        dispatcher=dispatcher,
        courier=Courier(deliveries, sender, queue, config),
        sweep=WebhookSweep(deliveries, dispatcher, queue, config),
    )


def voice_registry(
    settings: Settings, database: Engine, objects: ObjectStore, engines: EnginePool, jobs: JobStore
) -> VoiceRegistry:
    limits = settings.voices
    return VoiceRegistry(
        VoiceStore(database),
        objects,
        engines,
        jobs,
        reference_fetcher(settings),
        ReferenceLimits(
            max_bytes=limits.max_reference_bytes,
            min_seconds=limits.min_reference_seconds,
            max_seconds=limits.max_reference_seconds,
            min_rate=limits.min_reference_rate,
        ),
    )


def reference_fetcher(settings: Settings) -> ReferenceFetcher:
    """Downloads of reference recordings by URL: the same address rules as webhooks."""
    limits = settings.voices
    return ReferenceFetcher(
        CallbackPolicy(settings.webhooks.allow_hosts),
        limits.fetch_timeout,
        limits.max_reference_bytes,
    )
