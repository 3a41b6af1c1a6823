"""Per-key limits: requests per minute and characters per day (counted by the `limits`
library, in memory or Redis), concurrent jobs and recognition connections."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from voxhub.access import Access, KeyLimits
from voxhub.errors import RateLimited


class KeyLimiter:
    """Counts what each key uses; a refusal is RateLimited with the figures for the headers."""

    def __init__(
        self,
        storage_url: str,
        defaults: KeyLimits,
        active_jobs: Callable[[str], int],
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        # what a key without its own limits gets
        self._defaults = defaults
        # jobs of a tenant that are queued or running, from the database
        self._active_jobs = active_jobs
        self._lock = threading.Lock()
        self._connections: dict[str, int] = {}

    def request(self, access: Access) -> tuple[int, int, float] | None:
        """Count one request; the (limit, remaining, reset) for the response's headers."""
        amount = self._limit(access, "requests_per_minute")
        if access.key is None or not amount:
            return None
        item = RateLimitItemPerMinute(amount)
        allowed = self._limiter.hit(item, "requests", access.key)
        limit, remaining, reset = self._figures(item, "requests", access.key)
        if not allowed:
            wait = _seconds_until(reset)
            raise RateLimited(
                f"Key {access.key!r} made its {amount} requests of this minute; "
                f"retry after {wait} s.",
                retry_after=wait,
                limit=limit,
                remaining=remaining,
                reset=math.ceil(reset),
            )
        return limit, remaining, reset

    def characters(self, access: Access, count: int) -> None:
        """Count `count` characters of text to speak against the key's daily allowance."""
        amount = self._limit(access, "characters_per_day")
        if access.key is None or not amount:
            return
        item = RateLimitItemPerDay(amount)
        if count > amount or not self._limiter.hit(item, "characters", access.key, cost=count):
            limit, remaining, reset = self._figures(item, "characters", access.key)
            raise RateLimited(
                f"Key {access.key!r} has {remaining} of its {amount} characters of the day "
                f"left; this text has {count}.",
                retry_after=_seconds_until(reset),
                limit=limit,
                remaining=remaining,
                reset=math.ceil(reset),
            )

    def job(self, access: Access) -> None:
        """Refuse a new job while the key's tenant has its maximum queued or running."""
        amount = self._limit(access, "concurrent_jobs")
        if access.key is None or access.tenant is None or not amount:
            return
        active = self._active_jobs(access.tenant)
        if active >= amount:
            raise RateLimited(
                f"Tenant {access.tenant!r} has {active} jobs queued or running, its limit; "
                "submit more when one finishes.",
                retry_after=30,
                limit=amount,
                remaining=0,
                reset=int(time.time()) + 30,
            )

    @contextmanager
    def connection(self, access: Access) -> Iterator[None]:
        """Hold one of the key's real-time recognition connections while the block runs."""
        amount = self._limit(access, "asr_connections")
        key = access.key
        if key is None or not amount:
            yield
            return
        with self._lock:
            held = self._connections.get(key, 0)
            if held >= amount:
                raise RateLimited(
                    f"Key {key!r} has {held} recognition connections open, its limit; "
                    "close one first.",
                    retry_after=5,
                    limit=amount,
                    remaining=0,
                    reset=int(time.time()) + 5,
                )
            self._connections[key] = held + 1
        try:
            yield
        finally:
            with self._lock:
                self._connections[key] -= 1

    def _limit(self, access: Access, name: str) -> int:
        if access.key is None:
            return 0
        own: int | None = getattr(access.limits, name)
        return own if own is not None else int(getattr(self._defaults, name) or 0)

    def _figures(self, item: RateLimitItem, *ids: str) -> tuple[int, int, float]:
        stats = self._limiter.get_window_stats(item, *ids)
        return item.amount, stats.remaining, stats.reset_time


def _seconds_until(moment: float) -> int:
    return max(1, math.ceil(moment - time.time()))
