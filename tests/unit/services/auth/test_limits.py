"""Per-key limits: requests per minute, characters per day, jobs and connections at once."""

from __future__ import annotations

import time

import pytest

from voxhub.access import Access, KeyLimits
from voxhub.errors import RateLimited
from voxhub.services.auth.limits import KeyLimiter


def access(name: str, **limits: int) -> Access:
    return Access(tenant=name, key=name, limits=KeyLimits(**limits))


def limiter(active: int = 0, **defaults: int) -> KeyLimiter:
    return KeyLimiter("memory://", KeyLimits(**defaults), lambda tenant: active)


def test_requests_past_the_rate_are_refused_with_the_figures_for_headers() -> None:
    limits = limiter()
    alice = access("alice", requests_per_minute=3)
    seen = [limits.request(alice) for _ in range(3)]
    assert [s[1] for s in seen if s] == [2, 1, 0]
    with pytest.raises(RateLimited) as caught:
        limits.request(alice)
    error = caught.value
    assert (error.limit, error.remaining) == (3, 0)
    assert 0 < error.retry_after <= 60
    assert time.time() < error.reset <= time.time() + 61
    # another key has its own window; a key without limits is not counted
    assert limits.request(access("bob", requests_per_minute=3)) is not None
    assert limits.request(access("carol")) is None


def test_the_servers_default_applies_to_keys_without_their_own() -> None:
    limits = limiter(requests_per_minute=1)
    limits.request(access("dave"))
    with pytest.raises(RateLimited):
        limits.request(access("dave"))
    # 0 on the key itself means unlimited, whatever the default
    for _ in range(5):
        limits.request(access("erin", requests_per_minute=0))


def test_characters_of_the_day_are_counted_and_a_too_long_text_costs_nothing() -> None:
    limits = limiter()
    frank = access("frank", characters_per_day=100)
    limits.characters(frank, 60)
    with pytest.raises(RateLimited, match="40 of its 100"):
        limits.characters(frank, 50)
    limits.characters(frank, 40)
    with pytest.raises(RateLimited):
        limits.characters(frank, 1)


def test_jobs_and_connections_at_once() -> None:
    with pytest.raises(RateLimited, match="2 jobs"):
        limiter(active=2).job(access("gina", concurrent_jobs=2))
    limiter(active=1).job(access("gina", concurrent_jobs=2))
    limits = limiter()
    hank = access("hank", asr_connections=1)
    with limits.connection(hank):
        with pytest.raises(RateLimited), limits.connection(hank):
            pass
        with limits.connection(access("ivy", asr_connections=1)):
            pass
    with limits.connection(hank):
        pass
