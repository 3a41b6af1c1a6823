"""Server-Sent Events of jobs: a snapshot, then the event log as it grows, with heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import anyio

from voxhub.db.repositories.events import EventLog, JobEvent
from voxhub.services.events.bus import CHANNEL
from voxhub.settings import EventSettings

log = logging.getLogger("voxhub.events")

# an event id that has not shown up after this long belongs to a rolled-back transaction
_GAP_PATIENCE = 10.0
# beyond this many missing ids at once (a resume from long ago), gaps are not tracked
_MAX_GAPS = 1000


class EventSignals:
    """Wakes the streams waiting on a job when it has new events (one per API process)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiters: dict[str | None, set[asyncio.Event]] = {}

    def subscribe(self, job_id: str | None) -> asyncio.Event:
        flag = asyncio.Event()
        self._waiters.setdefault(job_id, set()).add(flag)
        return flag

    def unsubscribe(self, job_id: str | None, flag: asyncio.Event) -> None:
        waiting = self._waiters.get(job_id)
        if waiting is not None:
            waiting.discard(flag)
            if not waiting:
                del self._waiters[job_id]

    def notify(self, job_id: str) -> None:
        """From the event loop's thread."""
        for key in (job_id, None):
            for flag in self._waiters.get(key, ()):
                flag.set()

    def notify_threadsafe(self, events: list[JobEvent]) -> None:
        """A store listener: transitions made by this process wake its streams at once."""
        for job_id in {event.job_id for event in events}:
            self._loop.call_soon_threadsafe(self.notify, job_id)


async def follow_redis(url: str, signals: EventSignals) -> None:
    """Relay other processes' event notices to this process's streams; reconnect on loss."""
    import redis.asyncio as aioredis

    delay = 0.5
    while True:
        client = aioredis.Redis.from_url(url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        signals.notify(message["data"].decode())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # streams keep polling meanwhile
            log.warning("job events: Redis unreachable (%s); retrying in %.1f s", exc, delay)
        finally:
            await client.aclose()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)


@dataclass(frozen=True)
class StreamStart:
    """Where a stream begins: after `cursor`, with a snapshot when it is not a resume."""

    cursor: int
    snapshot: dict[str, Any] | None
    # the job had already ended when the stream began
    ended: bool = False


class StreamEvent(NamedTuple):
    """One event of a stream: its kind (snapshot, status, progress, heartbeat), id and body."""

    kind: str
    id: int
    data: dict[str, Any]


def sse(event: str, event_id: int, data: dict[str, Any]) -> bytes:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {body}\n\n".encode()


async def event_stream(
    log_reader: EventLog,
    signals: EventSignals,
    settings: EventSettings,
    job_id: str | None,
    start: StreamStart,
    clock: Callable[[], float] = time.monotonic,
    owner: str | None = None,
) -> AsyncIterator[bytes]:
    """`job_events` as Server-Sent Events."""
    events = job_events(log_reader, signals, settings, job_id, start, clock, owner=owner)
    async with contextlib.aclosing(events):
        async for event in events:
            yield sse(*event)


async def job_events(
    log_reader: EventLog,
    signals: EventSignals,
    settings: EventSettings,
    job_id: str | None,
    start: StreamStart,
    clock: Callable[[], float] = time.monotonic,
    follow: bool = False,
    owner: str | None = None,
) -> AsyncGenerator[StreamEvent, None]:
    """The events of one job (ends after its terminal event, unless `follow`: a retry brings
    more) or of every job (never ends; only `owner`'s jobs when given), with a heartbeat
    when nothing else was sent."""
    cursor = start.cursor
    if start.snapshot is not None:
        yield StreamEvent("snapshot", cursor, start.snapshot)
    flag = signals.subscribe(job_id)
    # ids skipped by the global stream: a concurrent transaction may still commit them
    gaps: dict[int, float] = {}
    last_sent = clock()
    ends = job_id is not None and not follow
    try:
        while True:
            flag.clear()
            recheck = tuple(gaps) if job_id is None else ()
            events = await anyio.to_thread.run_sync(
                functools.partial(log_reader.after, cursor, job_id, also=recheck)
            )
            for event in events:
                gaps.pop(event.id, None)
                if event.id > cursor:
                    if job_id is None and event.id - cursor <= _MAX_GAPS:
                        now = clock()
                        gaps.update((missing, now) for missing in range(cursor + 1, event.id))
                    cursor = event.id
                if owner is not None and event.owner != owner:
                    continue
                # a late event carries the cursor: resuming from it repeats nothing
                yield StreamEvent(event.kind, cursor, event.to_json())
                last_sent = clock()
                if ends and event.terminal:
                    return
            if ends and start.ended and not events:
                return
            expired = clock() - _GAP_PATIENCE
            gaps = {k: v for k, v in gaps.items() if v > expired}
            if clock() - last_sent >= settings.heartbeat:
                yield StreamEvent("heartbeat", cursor, {"time": _now_iso()})
                last_sent = clock()
            wait = min(settings.poll_interval, max(0.0, settings.heartbeat - (clock() - last_sent)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flag.wait(), timeout=wait)
    finally:
        signals.unsubscribe(job_id, flag)


def _now_iso() -> str:
    from voxhub.db.models import utcnow

    return utcnow().isoformat()
