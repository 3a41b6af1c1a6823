"""The cloning backend's Server-Sent Events (connected, task_update, heartbeat) from job events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from voxhub.access import Access
from voxhub.api.compat.cloning_tasks import CANCELLED, js_time, status_word, task_view
from voxhub.container import Container
from voxhub.services.events.stream import EventSignals, StreamEvent, StreamStart, job_events

# a task's audio URL from its id
AudioUrl = Callable[[str], str]


def stream_start(
    container: Container,
    access: Access,
    task_id: str | None,
    cursor: int | None,
    audio_url: AudioUrl,
) -> StreamStart:
    """Where the stream begins (blocking): a task's stream opens with its current state,
    unless it resumes; an unknown task is refused before the stream starts."""
    jobs, log = container.jobs, container.event_log
    if task_id is None:
        return StreamStart(log.last_id() if cursor is None else cursor, None)
    if cursor is not None:
        jobs.get(task_id, access)
        return StreamStart(cursor, None)
    # the cursor is read first: an event between the two reads is sent, not lost
    latest = log.last_id(task_id)
    job = jobs.get(task_id, access)
    return StreamStart(latest, task_view(job, jobs.text(task_id, access), audio_url(task_id)))


async def task_events(
    container: Container,
    signals: EventSignals,
    access: Access,
    task_id: str | None,
    start: StreamStart,
    client_id: str,
    audio_url: AudioUrl,
) -> AsyncIterator[bytes]:
    """`connected`, then every change of the task (or of every task) as `task_update`, and
    `heartbeat`s; open until the client leaves, as a retry can follow a failure."""
    yield _frame("connected", {"clientId": client_id, "taskId": task_id})
    events = job_events(
        container.event_log,
        signals,
        container.settings.events,
        task_id,
        start,
        follow=True,
        owner=access.owner_filter,
    )
    async with aclosing(events):
        async for event in events:
            yield _translated(event, audio_url)


def _translated(event: StreamEvent, audio_url: AudioUrl) -> bytes:
    if event.kind == "heartbeat":
        return _frame("heartbeat", {"timestamp": js_time(event.data["time"])}, event.id)
    if event.kind == "snapshot":
        return _frame("task_update", event.data, event.id)
    return _frame("task_update", _update(event.data, audio_url), event.id)


def _update(change: dict[str, Any], audio_url: AudioUrl) -> dict[str, Any]:
    """A job event (status change or chunk done) in the cloning backend's words."""
    status = change["status"]
    update: dict[str, Any] = {
        "taskId": change["job_id"],
        "status": status_word(status),
        "progress": change["percent"],
        "timestamp": js_time(change["time"]),
    }
    if status == "succeeded":
        update["audioUrl"] = audio_url(change["job_id"])
    if status == "cancelled":
        update["error"] = CANCELLED
    elif change["error"]:
        update["error"] = change["error"]
    return update


def _frame(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    # `connected` carries no id, so a reconnecting client still resumes after its last update
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n".encode()
