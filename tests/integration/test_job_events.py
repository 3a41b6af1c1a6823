"""Job progress as Server-Sent Events, against a real uvicorn and a real worker process."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.backends import REDIS
from tests.support.jobstack import JobStack, running_stack, submit, wait_for

SLOW_TEXT = " ".join(f"Sentence {n} of a job that takes a while." for n in range(40))


@dataclass
class Event:
    id: int
    name: str
    data: dict[str, Any]


def read_events(
    client: httpx.Client,
    path: str,
    last_event_id: int | None = None,
    stop_after: int = 0,
    until: Callable[[list[Event]], bool] | None = None,
) -> list[Event]:
    """Events until the server ends the stream, or `stop_after` of them or `until` holds."""
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    events: list[Event] = []
    with client.stream("GET", path, headers=headers, timeout=60) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        fields: dict[str, str] = {}
        for line in response.iter_lines():
            if line:
                key, _, value = line.partition(": ")
                fields[key] = value
                continue
            events.append(Event(int(fields["id"]), fields["event"], json.loads(fields["data"])))
            fields = {}
            if (stop_after and len(events) >= stop_after) or (until and until(events)):
                break
    return events


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobStack]:
    data_dir = tmp_path_factory.mktemp("events")
    env = {"VOXHUB_EVENTS__HEARTBEAT": "0.5", "VOXHUB_EVENTS__POLL_INTERVAL": "0.1"}
    with running_stack("embedded", data_dir, extra_env=env) as job_stack:
        yield job_stack


@pytest.fixture
def api(stack: JobStack) -> Iterator[httpx.Client]:
    stack.plan_faults()
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


def test_snapshot_first_then_progress_in_order_until_the_end(
    stack: JobStack, api: httpx.Client
) -> None:
    # slow enough that the stream starts long before the job ends
    stack.plan_faults(delay_per_char=0.002)
    job = submit(api, SLOW_TEXT, voice="fake:a")
    events = read_events(api, f"/v1/tts/jobs/{job['id']}/events")
    assert events[0].name == "snapshot" and events[0].data["id"] == job["id"]
    ids = [e.id for e in _changes(events)]
    assert ids == sorted(set(ids)), "event ids must strictly increase"
    assert all(e.id >= events[0].id for e in events[1:])
    assert events[-1].name == "status" and events[-1].data["status"] == "succeeded"
    done = [e.data["chunks_done"] for e in events[1:] if e.name == "progress"]
    assert done == sorted(done) and done[-1] == job["progress"]["chunks_total"]
    # the stream ended by itself after the terminal event; the job agrees
    assert api.get(job["urls"]["self"]).json()["status"] == "succeeded"


def test_resuming_with_last_event_id_misses_nothing(stack: JobStack, api: httpx.Client) -> None:
    stack.plan_faults(delay_per_char=0.002)
    job = submit(api, SLOW_TEXT, voice="fake:a")
    path = f"/v1/tts/jobs/{job['id']}/events"
    # hang up after three changes, in the middle of the job
    first = read_events(api, path, until=lambda seen: len(_changes(seen)) >= 3)
    rest = read_events(api, path, last_event_id=first[-1].id)
    assert rest[-1].data["status"] == "succeeded"
    # the whole log of the job after the snapshot, read afterwards
    everything = read_events(api, f"/v1/events?job_id={job['id']}", last_event_id=first[0].id)
    seen = _changes(first) + _changes(rest)
    assert [e.id for e in seen] == [e.id for e in _changes(everything)]
    assert [e.data for e in seen] == [e.data for e in _changes(everything)]


def _changes(events: list[Event]) -> list[Event]:
    return [e for e in events if e.name in ("status", "progress")]


def test_a_finished_job_gives_its_snapshot_and_closes(api: httpx.Client) -> None:
    job = submit(api, "Short.", voice="espeak:en-us")
    wait_for(api, job["id"])
    events = read_events(api, f"/v1/tts/jobs/{job['id']}/events")
    assert [e.name for e in events] == ["snapshot"]
    assert events[0].data["status"] == "succeeded"


def test_heartbeats_carry_the_cursor_while_nothing_happens(api: httpx.Client) -> None:
    events = read_events(api, "/v1/events", stop_after=3)
    assert events[0].name == "snapshot" and isinstance(events[0].data["jobs"], list)
    assert [e.name for e in events[1:]] == ["heartbeat", "heartbeat"]
    assert all(e.id == events[0].id for e in events)


def test_all_jobs_stream_shows_every_job(api: httpx.Client) -> None:
    cursor = read_events(api, "/v1/events", stop_after=1)[0].id
    one = submit(api, "First job.", voice="espeak:en-us")
    two = submit(api, "Second job.", voice="espeak:en-us")
    wait_for(api, one["id"])
    wait_for(api, two["id"])
    ids = {one["id"], two["id"]}

    def both_succeeded(events: list[Event]) -> bool:
        return ids <= {e.data["job_id"] for e in events if e.data.get("status") == "succeeded"}

    events = read_events(api, "/v1/events", last_event_id=cursor, until=both_succeeded)
    jobs = [e for e in events if e.name != "heartbeat"]
    assert {e.data["job_id"] for e in jobs} == ids
    assert next(e.data["status"] for e in jobs if e.data["job_id"] == one["id"]) == "queued"


def test_bad_requests_are_refused_before_the_stream(api: httpx.Client) -> None:
    missing = api.get(f"/v1/tts/jobs/{'0' * 32}/events")
    assert missing.status_code == 404
    job = submit(api, "Short.", voice="espeak:en-us")
    bad = api.get(f"/v1/tts/jobs/{job['id']}/events", headers={"Last-Event-ID": "yesterday"})
    assert bad.status_code == 422 and "Last-Event-ID" in bad.json()["error"]["message"]


def test_worker_events_reach_the_api_through_redis(tmp_path: Path) -> None:
    """The API polls only every 60 s here: what arrives sooner was pushed through Redis."""
    broker = REDIS.rsplit("/", 1)[0] + "/6"
    env = {"VOXHUB_EVENTS__POLL_INTERVAL": "60", "VOXHUB_EVENTS__HEARTBEAT": "60"}
    with running_stack("redis-events", tmp_path, broker=broker, extra_env=env) as job_stack:
        job_stack.plan_faults(delay_per_char=0.001)
        with httpx.Client(base_url=job_stack.url, timeout=30) as api:
            job = submit(api, SLOW_TEXT, voice="fake:a")
            started = time.monotonic()
            events = read_events(api, f"/v1/tts/jobs/{job['id']}/events")
            assert events[0].data["status"] != "succeeded"
            assert events[-1].data["status"] == "succeeded"
            assert time.monotonic() - started < 45
            assert sum(e.name == "progress" for e in events) >= 2
