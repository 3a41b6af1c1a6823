"""Per-key limits counted in Redis: every API process sees the same counts."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.support.backends import REDIS, require_server
from voxhub.access import Access, KeyLimits
from voxhub.errors import RateLimited
from voxhub.services.auth.limits import KeyLimiter
from voxhub.settings import JobSettings, Settings


def test_two_processes_share_a_keys_requests_and_characters() -> None:
    url = require_server(REDIS)
    # a fresh key name: counts of earlier runs stay in the server until their window ends
    key = f"tenant-{uuid.uuid4().hex[:8]}"
    access = Access(
        tenant=key, key=key, limits=KeyLimits(requests_per_minute=4, characters_per_day=100)
    )
    first, second = (KeyLimiter(url, KeyLimits(), lambda tenant: 0) for _ in range(2))
    for limiter in (first, second, first, second):
        limiter.request(access)
    with pytest.raises(RateLimited) as caught:
        second.request(access)
    assert (caught.value.limit, caught.value.remaining) == (4, 0)
    first.characters(access, 70)
    with pytest.raises(RateLimited, match="30 of its 100"):
        second.characters(access, 31)
    client = redis.Redis.from_url(url)
    try:
        assert any(key.encode() in name for name in client.keys("LIMITS*"))
    finally:
        client.close()


def test_limits_are_counted_in_the_brokers_redis_unless_told_otherwise() -> None:
    assert Settings().limits_storage == "memory://"
    with_redis = Settings(jobs=JobSettings(broker_url="redis://broker:6379/0"))
    assert with_redis.limits_storage == "redis://broker:6379/0"
    explicit = with_redis.model_copy(
        update={"auth": with_redis.auth.model_copy(update={"limits_url": "memory://"})}
    )
    assert explicit.limits_storage == "memory://"
