"""Settings of API keys, browser tokens and per-key limits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class AuthSettings(BaseModel):
    """Who may call the API (see the README's authentication section)."""

    # "off": every request acts for everyone (the loopback quick start); "keys": every route
    # but /health, the docs and static pages needs an API key or a token minted with one
    mode: Literal["off", "keys"] = "off"
    # with keys on, /metrics answers without a key (for a scraper inside the network)
    public_metrics: bool = False
    # accept a long-lived key as ?api_key= (browsers should use minted tokens instead)
    query_keys: bool = False
    # lifetime of tokens minted by POST /v1/auth/tokens, in seconds
    token_seconds: int = Field(300, ge=10, le=86_400)
    # HMAC key of minted tokens; empty: a random key kept in the data directory (set one
    # shared value when API processes run on several hosts)
    token_secret: SecretStr = SecretStr("")
    # where per-key counters live: a redis:// URL shared by every API process, or
    # "memory://" (each process counts alone); empty means the Redis of the broker or of
    # events when there is one, else memory
    limits_url: str = ""
    # limits of keys created without their own (0: unlimited)
    requests_per_minute: int = Field(0, ge=0)
    concurrent_jobs: int = Field(0, ge=0)
    characters_per_day: int = Field(0, ge=0)
    asr_connections: int = Field(0, ge=0)
