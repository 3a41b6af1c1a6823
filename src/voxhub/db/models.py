"""Tables of jobs, chunks, events, webhooks, voices and API keys; the database is the truth."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend; microseconds kept on MySQL too."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; voxhub stores aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


# 50,000 CJK characters are 150 kB of UTF-8: more than MySQL's TEXT holds
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# SQLite only auto-increments an INTEGER PRIMARY KEY
EventId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(LongText)
    # the validated request: voice, language, format, sample rate, speed and style knobs
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    callback_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=5)
    chunks_total: Mapped[int] = mapped_column(Integer)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    # merge_state: null until every chunk is done, then "queued" and "done"
    merge_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    merge_enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dead_lettered: Mapped[bool] = mapped_column(default=False)
    # times a user asked to retry the job after it failed or was cancelled
    manual_retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration: Mapped[float | None] = mapped_column(nullable=True)
    # the tenant whose key submitted the job; null when authentication was off
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ChunkRow(Base):
    __tablename__ = "chunks"
    __table_args__ = (Index("ix_chunks_status_lease", "status", "lease_until"),)

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    # pending -> running -> done; running -> retrying -> running; or failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # when the chunk's message was last sent, to find messages a broker lost
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # earliest time of the next attempt, while retrying
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration: Mapped[float | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JobEventRow(Base):
    """What happened to a job, in order: the log behind progress streams and webhooks."""

    __tablename__ = "job_events"
    # never reuse an id, even after the newest events were purged: clients resume by id
    __table_args__ = (
        Index("ix_job_events_job_id_id", "job_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    # "status" when the job's status changed, "progress" when a chunk finished
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    chunks_done: Mapped[int] = mapped_column(Integer)
    chunks_total: Mapped[int] = mapped_column(Integer)
    eta_seconds: Mapped[float | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    dead_lettered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class WebhookDeliveryRow(Base):
    """One callback POST for one job event, with its retry state; the id is its idempotency id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # one delivery per event, however many processes see the event
        Index("ux_webhook_deliveries_event_id", "event_id", unique=True),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(BigInteger)
    # "job.succeeded", "job.failed", "job.cancelled" or "job.progress"
    event: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2048))
    # the exact JSON sent on every attempt, so retries carry the same bytes
    body: Mapped[str] = mapped_column(Text)
    # pending -> delivering -> delivered; delivering -> pending (retry) or failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # while delivering: past this, the sender is presumed dead and the delivery is retried
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookAttemptRow(Base):
    """One POST of a delivery (redirects included) and how it ended."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id_id", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the receiver's answer; null when none came (refused connection, timeout)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)


class VoiceRow(Base):
    """A registered voice: an engine voice with its own name and defaults, or a cloning
    template (reference recording + transcript) spoken by an engine that can clone."""

    __tablename__ = "voices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), index=True)
    engine: Mapped[str] = mapped_column(String(32), index=True)
    # the engine's own voice (`kokoro:jm_kumo`) this voice speaks with, when not cloning
    engine_voice: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # object-store key of the reference recording, for cloning templates
    reference_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    reference_media_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reference_duration: Mapped[float | None] = mapped_column(nullable=True)
    reference_sample_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    transcript: Mapped[str | None] = mapped_column(Text, nullable=True)
    # speed, temperature, top_p, top_k, instruction: what a request leaves out
    defaults: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoiceAliasRow(Base):
    """Another name of a registered voice: an IndexTTS `character`, a cloning backend's
    `templateId`, a GLM-TTS prompt `index`. Unique across all voices."""

    __tablename__ = "voice_aliases"

    alias: Mapped[str] = mapped_column(String(200), primary_key=True)
    voice_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("voices.id", ondelete="CASCADE"), index=True
    )


class ApiKeyRow(Base):
    """An API key: only its SHA-256 is kept, looked up by the short id the key carries."""

    __tablename__ = "api_keys"

    # the public part of the key (`vxk_<id>_<secret>`), unique
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # what the key's jobs and voices belong to; keys of one tenant share them
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    admin: Mapped[bool] = mapped_column(default=False)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    # per-key limits; null takes the server's default (VOXHUB_AUTH__*), 0 is unlimited
    requests_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    concurrent_jobs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    characters_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asr_connections: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
