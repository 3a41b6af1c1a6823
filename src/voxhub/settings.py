"""One Settings tree from the environment (VOXHUB_ prefix, "__" nesting), read once."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voxhub.logs import LogOptions


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
    # a JSON fault plan for the fake engine, read by every worker process (tests only)
    fault_file: str | None = None


class OnlineSettings(BaseModel):
    """Limits of the online (synchronous) synthesis routes."""

    max_chars: int = 300
    # a sentence longer than this is broken at a comma or word boundary
    max_sentence_chars: int = 120
    # silence inserted between sentences, in seconds
    sentence_pause: float = 0.25
    # threads running blocking inference for the event loop
    inference_threads: int = 4


class SubtitleSettings(BaseModel):
    max_lines: int = 2
    cjk_chars_per_line: int = 20
    latin_chars_per_line: int = 42


class AdmissionSettings(BaseModel):
    """Online requests by text length: concurrency, queues and deadlines."""

    # texts up to this many characters are "short", longer ones "long"
    threshold: int = 200
    short_concurrency: int = 2
    long_concurrency: int = 1
    # requests that may wait for a slot; beyond that the answer is 429
    short_queue: int = 8
    long_queue: int = 2
    # first guess of synthesis seconds per character, refined by every request
    seconds_per_char: float = 0.15
    safety_factor: float = 2.0
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
    # a running chunk's lease outlasts its hard time limit by this much; past it, the
    # reconciler assumes the worker died and sends the chunk again
    lease_margin: float = 30.0
    # how often the reconciler looks for work whose lease expired or whose message was lost
    reconcile_interval: float = 30.0
    # a queued chunk with no worker after this long is enqueued again (lost message)
    requeue_after: float = 600.0
    # embedded filesystem broker polling, in seconds
    # (with a message in flight per worker process, the next one is fetched only on a poll)
    poll_interval: float = 0.01


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


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # a URL prefix for links the API returns, when it sits behind a proxy
    public_url: str = ""
    # API processes; each has its own models and its own admission limits
    workers: int = 1


class Settings(BaseSettings):
    """Everything voxhub reads from its environment. Built once, then passed down."""

    model_config = SettingsConfigDict(
        env_prefix="VOXHUB_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    data_dir: Path = Path("data")
    # SQLAlchemy URL; empty means SQLite in the data directory
    database_url: str = ""
    log_level: str = "INFO"
    # one JSON object per line instead of text
    log_json: bool = False
    # also write logs to this file, rotated by size (one file per process)
    log_file: Path | None = None
    log_max_bytes: int = 10_000_000
    log_backups: int = 5
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

    # the GLM-TTS service's variable names, accepted as aliases of voxhub's settings
    glm_short_concurrency: int | None = Field(None, validation_alias="SHORT_TEXT_CONCURRENCY")
    glm_long_concurrency: int | None = Field(None, validation_alias="LONG_TEXT_CONCURRENCY")
    glm_threshold: int | None = Field(None, validation_alias="TEXT_LENGTH_THRESHOLD")
    glm_short_timeout: float | None = Field(None, validation_alias="SHORT_TEXT_TIMEOUT")
    glm_medium_timeout: float | None = Field(None, validation_alias="MEDIUM_TEXT_TIMEOUT")
    glm_long_timeout: float | None = Field(None, validation_alias="LONG_TEXT_TIMEOUT")
    glm_workers: int | None = Field(None, validation_alias="WORKERS")

    @model_validator(mode="after")
    def _apply_glm_aliases(self) -> Settings:
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
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'voxhub.db').resolve()}"

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
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"


def log_options(settings: Settings) -> LogOptions:
    return LogOptions(
        level=settings.log_level,
        json=settings.log_json,
        file=settings.log_file,
        max_bytes=settings.log_max_bytes,
        backups=settings.log_backups,
    )
