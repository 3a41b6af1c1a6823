"""One Settings tree from the environment (VOXHUB_ prefix, "__" nesting), read once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voxhub.logs import LogOptions
from voxhub.settings.asr import ASRSettings as ASRSettings
from voxhub.settings.auth import AuthSettings as AuthSettings
from voxhub.settings.compat import CompatSettings as CompatSettings
from voxhub.settings.homes import default_data_dir, default_model_cache


class RemoteEngineSettings(BaseModel):
    """The `remote` engine: a synthesis service reached over HTTP."""

    # "replicate" (create a prediction, poll it, download its output) or "openai"
    # (POST /v1/audio/speech of any OpenAI-compatible server)
    protocol: Literal["replicate", "openai"] = "replicate"
    # the service's root URL (a trailing /v1 is accepted)
    base_url: str = "https://api.replicate.com"
    # sent as "Authorization: Bearer TOKEN"; never logged
    token: SecretStr = SecretStr("")
    # replicate: the model "owner/name" (or set `version`); openai: the speech model
    model: str = ""
    version: str = ""
    # the engine's own voices, remote:NAME (voice names the service accepts)
    voices: list[str] = Field(default_factory=lambda: ["alloy"])
    languages: list[str] = Field(default_factory=lambda: ["zh", "en"])
    # remote audio is converted to this rate
    sample_rate: int = Field(24_000, gt=0)
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    # a prediction unfinished this long after it was created is cancelled remotely
    prediction_timeout: float = Field(300.0, gt=0)
    poll_interval: float = Field(1.0, gt=0)
    # seconds the create call asks the service to hold its answer (Prefer: wait); 0 only polls
    wait: int = Field(0, ge=0, le=60)
    # retries of connection errors, 5xx and 429, with exponential backoff
    max_retries: int = Field(3, ge=0)
    retry_initial: float = Field(0.5, ge=0)
    # cap of one backoff, and of the Retry-After the service asks for
    retry_max: float = Field(30.0, ge=0)
    # remote calls in flight at once from this process
    max_concurrency: int = Field(4, ge=1)
    # replicate: the model's input field for text, audio, transcript, instruction, task, voice,
    # language, speed, temperature, top_p, top_k ("" leaves one out); unnamed ones keep defaults
    inputs: dict[str, str] = Field(default_factory=dict)
    # replicate: the `task` input for cloning, and for cloning with an instruction
    clone_task: str = "zero-shot voice clone"
    instruct_task: str = "Instructed Voice Generation"


class EngineSettings(BaseModel):
    """Which TTS engines run in this process and how they load."""

    default: str = "kokoro"
    # engines loaded at start-up; others named in a request are loaded on first use
    preload: list[str] = Field(default_factory=lambda: ["kokoro", "espeak"])
    # engines a request may name; "fake" exists for fault-injection tests only
    enabled: list[str] = Field(default_factory=lambda: ["kokoro", "espeak"])
    # threads per inference; 0 lets the runtime use every core
    threads: int = 0
    model_dir: str | None = None
    # who speaks the runs of a mixed Chinese/English text in the language the request's
    # voice lacks, by language ({"en": "piper:en_US-joe-medium"}); unset: that engine's
    # default voice of the language, else the default engine's
    partner_voices: dict[str, str] = Field(default_factory=dict)
    # a JSON fault plan for the fake engine, read by every worker process (tests only)
    fault_file: str | None = None
    remote: RemoteEngineSettings = Field(default_factory=RemoteEngineSettings)


class OnlineSettings(BaseModel):
    """Limits of the online (synchronous) synthesis routes."""

    max_chars: int = 300
    # a sentence longer than this is broken at a comma or word boundary
    max_sentence_chars: int = 120
    # silence inserted between sentences, in seconds
    sentence_pause: float = 0.25
    # threads running blocking inference for the event loop; 0: as many as admission lets
    # run at once (the short and long classes' limits together)
    inference_threads: int = Field(0, ge=0)


class SubtitleSettings(BaseModel):
    max_lines: int = 2
    cjk_chars_per_line: int = 20
    latin_chars_per_line: int = 42


def _cores() -> int:
    return os.cpu_count() or 1


class AdmissionSettings(BaseModel):
    """Online requests by text length: concurrency, queues and deadlines."""

    # texts up to this many characters are "short", longer ones "long"
    threshold: int = 200
    # syntheses at once: one short text per core and a long one per two cores (2 and 1 on
    # two cores); each inference uses every core, and the deadline forecast refuses what
    # sharing them would make late, so higher limits add refusals rather than throughput
    short_concurrency: int = Field(default_factory=_cores, ge=1)
    long_concurrency: int = Field(default_factory=lambda: max(1, _cores() // 2), ge=1)
    # requests that may wait for a slot; beyond that the answer is 429
    short_queue: int = 8
    long_queue: int = 2
    # first guess of synthesis seconds per character, refined by every request
    seconds_per_char: float = 0.15
    # the deadline: this many times the text's forecast synthesis alone, plus the buffer;
    # 3 lets texts share the cores two or three at a time and still finish
    safety_factor: float = 3.0
    buffer: float = 5.0
    min_timeout: float = 10.0
    # upper bounds of the deadline for very short (<= short_text_chars), medium and long texts
    short_text_chars: int = 50
    short_timeout: float = 60.0
    medium_timeout: float = 300.0
    long_timeout: float = 600.0


class JobSettings(BaseModel):
    """Long-text jobs: limits, chunking, workers, retries and leases."""

    max_chars: int = 50_000
    # text is grouped into chunks of whole sentences up to this many characters
    chunk_chars: int = 250
    # Celery broker; empty means the embedded filesystem broker under the data directory
    broker_url: str = ""
    # worker processes `voxhub serve` starts in embedded mode (0 runs the API alone)
    workers: int = 2
    max_retries: int = 3
    retry_initial: float = 2.0
    retry_multiplier: float = 2.0
    retry_max: float = 60.0
    # hard time limit of one chunk: base + per character, in seconds
    time_limit_base: float = 60.0
    time_limit_per_char: float = 1.0
    # a worker renews the lease of the chunk it runs this often; a lease not renewed for
    # `lease` seconds means its worker is gone, and the chunk is sent again
    heartbeat: float = Field(2.0, gt=0)
    lease: float = Field(10.0, gt=0)
    # how often the reconciler looks for work whose lease expired or whose message was lost
    reconcile_interval: float = Field(2.0, gt=0)
    # a queued chunk whose message the broker no longer holds is sent again after this long
    lost_after: float = Field(10.0, gt=0)
    # and any queued chunk after this long, even when the broker's queue cannot be inspected
    requeue_after: float = Field(600.0, gt=0)
    # embedded filesystem broker polling, in seconds
    # (with a message in flight per worker process, the next one is fetched only on a poll)
    poll_interval: float = 0.01

    @model_validator(mode="after")
    def _lease_outlasts_heartbeats(self) -> JobSettings:
        if self.lease < 2 * self.heartbeat:
            raise ValueError(
                f"jobs.lease ({self.lease} s) must be at least two heartbeats "
                f"({2 * self.heartbeat} s): one late renewal must not cost a running chunk"
            )
        return self


class StorageSettings(BaseModel):
    """Where job files live: a local directory, or an S3/MinIO bucket."""

    # "local" keeps objects under the data directory; "s3" uses the bucket below
    backend: str = "local"
    bucket: str = ""
    # e.g. http://minio:9000 for MinIO; empty means AWS S3
    endpoint: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = ""
    # MinIO and most self-hosted servers want path-style URLs (http://host/bucket/key)
    path_style: bool = True
    # every key starts with this, so several deployments can share a bucket
    prefix: str = ""
    # lifetime of the download links the API redirects to
    presign_seconds: int = 3600


class EventSettings(BaseModel):
    """Job progress streams (Server-Sent Events)."""

    # Redis for pushing events between processes; empty means the broker when it is Redis,
    # else API processes poll the event table
    redis_url: str = ""
    # how often a stream looks for new events when nothing pushes them, in seconds
    poll_interval: float = 0.5
    heartbeat: float = 15.0


class WebhookSettings(BaseModel):
    """Signed POSTs to a job's callback_url."""

    # HMAC-SHA256 key of the signature header; empty sends unsigned callbacks
    secret: str = ""
    timeout: float = 10.0
    max_attempts: int = 8
    retry_initial: float = 5.0
    retry_multiplier: float = 2.0
    retry_max: float = 600.0
    # hosts (names or IP networks) a callback may reach even though they are private
    allow_hosts: list[str] = Field(default_factory=list)
    # a delivery this many seconds overdue (its message lost, its worker restarted), or a
    # terminal event still without one, is sent again by the reconciler
    resend_after: float = 60.0


class RetentionSettings(BaseModel):
    # finished jobs and their files are removed after this many days (0 keeps them forever)
    days: float = 7.0
    # how often the server looks for jobs to purge, in seconds
    interval: float = 3600.0


class VoiceSettings(BaseModel):
    """The voice registry: limits of reference recordings and the preview text."""

    max_reference_bytes: int = 20_000_000
    min_reference_seconds: float = 1.0
    max_reference_seconds: float = 60.0
    min_reference_rate: int = 16_000
    # reference recordings given by URL: how long the download may take
    fetch_timeout: float = 20.0
    sample_text_zh: str = "你好，这是我的声音。欢迎使用语音合成服务。"
    sample_text_en: str = "Hello, this is my voice. Welcome to the speech service."


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # a URL prefix for links the API returns, when it sits behind a proxy
    public_url: str = ""
    # proxies whose X-Forwarded-For, -Proto and -Host are believed (comma-separated addresses
    # or networks, "*" for any): without public_url, links then carry the client's scheme and host
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # API processes; each has its own models and its own admission limits
    workers: int = 1
    # largest request body of the JSON routes (and of an upload's fields besides its file),
    # refused with 413 before it is read; a 50,000-character Chinese job is ~300 kB of JSON
    max_json_bytes: int = Field(1_048_576, ge=1024)


class Settings(BaseSettings):
    """Everything voxhub reads from its environment. Built once, then passed down."""

    model_config = SettingsConfigDict(
        env_prefix="VOXHUB_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    # the database, job files, keys and logs; a per-user directory unless set, never the
    # directory a command happens to run in
    data_dir: Path = Field(default_factory=default_data_dir)
    # model files assembled from their packages (checked by SHA-256), shared by every data
    # directory and process of the user
    model_cache: Path = Field(default_factory=default_model_cache)
    # SQLAlchemy URL; empty means SQLite in the data directory
    database_url: str = ""
    log_level: str = "INFO"
    # one JSON object per line instead of text
    log_json: bool = False
    # also write logs to this file, rotated by size (one file per process)
    log_file: Path | None = None
    log_max_bytes: int = 10_000_000
    log_backups: int = 5
    # SIGTERM or SIGINT stops every process (API, workers) within this many seconds
    shutdown_timeout: float = Field(30.0, gt=0)
    server: ServerSettings = Field(default_factory=ServerSettings)
    engines: EngineSettings = Field(default_factory=EngineSettings)
    online: OnlineSettings = Field(default_factory=OnlineSettings)
    subtitles: SubtitleSettings = Field(default_factory=SubtitleSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    admission: AdmissionSettings = Field(default_factory=AdmissionSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    asr: ASRSettings = Field(default_factory=ASRSettings)
    voices: VoiceSettings = Field(default_factory=VoiceSettings)
    compat: CompatSettings = Field(default_factory=CompatSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    # the GLM-TTS service's variable names, accepted as aliases of voxhub's settings
    glm_short_concurrency: int | None = Field(None, validation_alias="SHORT_TEXT_CONCURRENCY")
    glm_long_concurrency: int | None = Field(None, validation_alias="LONG_TEXT_CONCURRENCY")
    glm_threshold: int | None = Field(None, validation_alias="TEXT_LENGTH_THRESHOLD")
    glm_short_timeout: float | None = Field(None, validation_alias="SHORT_TEXT_TIMEOUT")
    glm_medium_timeout: float | None = Field(None, validation_alias="MEDIUM_TEXT_TIMEOUT")
    glm_long_timeout: float | None = Field(None, validation_alias="LONG_TEXT_TIMEOUT")
    glm_workers: int | None = Field(None, validation_alias="WORKERS")
    # the FunASR service's (HOST, PORT and LOG_LEVEL are too common to take over)
    funasr_max_connections: int | None = Field(None, validation_alias="MAX_CONNECTIONS")
    funasr_ws_timeout: float | None = Field(None, validation_alias="WS_TIMEOUT")

    @model_validator(mode="after")
    def _apply_aliases(self) -> Settings:
        aliases = {
            "short_concurrency": self.glm_short_concurrency,
            "long_concurrency": self.glm_long_concurrency,
            "threshold": self.glm_threshold,
            "short_timeout": self.glm_short_timeout,
            "medium_timeout": self.glm_medium_timeout,
            "long_timeout": self.glm_long_timeout,
        }
        given = {k: v for k, v in aliases.items() if v is not None}
        if given:
            self.admission = self.admission.model_copy(update=given)
        if self.glm_workers is not None:
            self.server = self.server.model_copy(update={"workers": self.glm_workers})
        asr = {
            "max_connections": self.funasr_max_connections,
            "idle_timeout": self.funasr_ws_timeout,
        }
        given_asr = {k: v for k, v in asr.items() if v is not None}
        if given_asr:
            self.asr = self.asr.model_copy(update=given_asr)
        return self

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "tts"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def scratch_dir(self) -> Path:
        """Temporary files, kept on the data disk rather than a possibly RAM-backed /tmp."""
        return self.data_dir / "tmp"

    @property
    def embedded_database(self) -> Path:
        """The SQLite file used when no database URL is set."""
        return self.data_dir / "voxhub.db"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.embedded_database.resolve()}"

    @property
    def broker(self) -> str:
        return self.jobs.broker_url or "filesystem://"

    @property
    def events_redis(self) -> str:
        """The Redis that carries job events between processes, or "" to poll the database."""
        if self.events.redis_url:
            return self.events.redis_url
        return self.broker if self.broker.startswith(("redis://", "rediss://")) else ""

    @property
    def limits_storage(self) -> str:
        """Where per-key limits are counted: shared through Redis whenever there is one."""
        return self.auth.limits_url or self.events_redis or "memory://"

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

    @property
    def inference_slots(self) -> int:
        """Threads running online syntheses for the event loop."""
        admission = self.admission
        return self.online.inference_threads or (
            admission.short_concurrency + admission.long_concurrency
        )


def log_options(settings: Settings) -> LogOptions:
    return LogOptions(
        level=settings.log_level,
        json=settings.log_json,
        file=settings.log_file,
        max_bytes=settings.log_max_bytes,
        backups=settings.log_backups,
    )
