"""The body of GET /health: voxhub's fields and those the replaced services' monitors read."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class EngineHealth(BaseModel):
    model_loaded: bool
    sample_rate: int | None


class DependencyHealth(BaseModel):
    ok: bool
    latency_ms: float
    error: str | None = None


class Health(BaseModel):
    """One document for every monitor: each reads its own keys and ignores the others."""

    # "healthy" is the word the FunASR and IndexTTS monitors compare; voxhub's own tools
    # read the HTTP status (200, or 503 with "degraded")
    status: Literal["healthy", "degraded"]
    version: str
    model_loaded: bool = Field(
        description="The service can serve: the default engine is loaded and the database, "
        "broker and storage answer."
    )
    default_engine: str
    sample_rate: int | None
    engines: dict[str, EngineHealth]
    dependencies: dict[str, DependencyHealth] = {}
    # what is wrong, when status is degraded
    problems: list[str] = []
    # real-time recognition: active and max connections, sessions served, audio seconds,
    # real-time factor, engines loaded (see /v1/stats)
    asr: dict[str, Any] | None = None
    # the FunASR real-time service's keys
    active_connections: int = Field(description="Real-time recognition connections open.")
    max_connections: int
    cpu_usage_percent: float | None
    memory_usage_percent: float | None
    timestamp: str = Field(description="Local time of the check, ISO 8601 to the second.")
    # the cloning backend answered every call in a {success, …} envelope
    success: bool
