"""The client's reading of answers: errors, jobs, events, resumption and the API key's reach."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from voxhub.api.schemas.jobs import JobLinks, JobOut
from voxhub.api.schemas.jobs import JobProgress as ServerProgress
from voxhub.client import Job, JobEvent, VoxhubAPIError, VoxhubConnectionError
from voxhub.client.calls import OwnHostBearer, check, downloads, get_job
from voxhub.client.follow import EventFollower
from voxhub.client.sse import ServerSentEvent

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def server_job(status: str = "running", **changes: Any) -> dict[str, Any]:
    """A job as the server's own response model serializes it."""
    base = "http://api.test/v1/tts/jobs/abc"
    job = JobOut(
        id="abc",
        status=status,
        dead_lettered=False,
        characters=1200,
        progress=ServerProgress(chunks_done=2, chunks_total=5, percent=40.0, eta_seconds=3.5),
        attempts=2,
        manual_retries=0,
        error=None,
        voice="espeak:en-us",
        language="en",
        format="mp3",
        sample_rate=22050,
        priority=5,
        callback_url=None,
        created_at=NOW,
        updated_at=NOW,
        started_at=NOW,
        finished_at=None,
        urls=JobLinks(
            self=base,
            audio=f"{base}/audio",
            srt=f"{base}/subtitles.srt",
            vtt=f"{base}/subtitles.vtt",
            timings=f"{base}/timings.json",
            cancel=f"{base}/cancel",
            retry=f"{base}/retry",
        ),
    )
    return {**job.model_dump(mode="json"), **changes}


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "http://api.test/v1/tts/jobs/abc")
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def progress_data(status: str, done: int) -> dict[str, Any]:
    return {
        "job_id": "abc",
        "status": status,
        "chunks_done": done,
        "chunks_total": 5,
        "percent": done * 20.0,
        "eta_seconds": None,
        "error": None,
        "dead_lettered": False,
        "time": "2024-03-05T12:00:01+00:00",
    }


def progress_event(event_id: int, status: str, done: int, kind: str = "progress") -> bytes:
    data = progress_data(status, done)
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data)}\n\n".encode()


def test_error_answers_become_api_errors_with_the_servers_code_and_message() -> None:
    with pytest.raises(VoxhubAPIError) as caught:
        check(answer(409, {"error": {"code": "conflict", "message": "Job abc is succeeded."}}))
    error = caught.value
    assert (error.status, error.code, error.message) == (409, "conflict", "Job abc is succeeded.")
    assert error.retry_after is None and "HTTP 409" in str(error)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    body = {"error": {"code": "overloaded", "message": "Busy."}}
    with pytest.raises(VoxhubAPIError) as seconds:
        check(answer(429, body, {"Retry-After": "7"}))
    assert seconds.value.retry_after == 7.0
    later = format_datetime(datetime.fromtimestamp(time.time() + 120, UTC), usegmt=True)
    with pytest.raises(VoxhubAPIError) as date:
        check(answer(503, body, {"Retry-After": later}))
    assert date.value.retry_after is not None and 100 < date.value.retry_after <= 120


def test_an_error_from_something_else_keeps_its_text() -> None:
    with pytest.raises(VoxhubAPIError) as caught:
        check(answer(502, "<html>Bad Gateway</html>"))
    assert caught.value.code == "http_error" and "Bad Gateway" in caught.value.message


def test_a_job_parses_from_the_servers_model_and_ignores_new_fields() -> None:
    job = get_job("abc").parse(answer(200, server_job(shiny_new_field=1)))
    assert isinstance(job, Job)
    assert (job.id, job.status, job.progress.percent, job.format) == ("abc", "running", 40.0, "mp3")
    assert not job.terminal and job.urls.srt.endswith("/subtitles.srt")
    progress = job.to_progress()
    assert (progress.job_id, progress.status, progress.chunks_done) == ("abc", "running", 2)


def test_an_unexpected_answer_is_reported_not_crashed_on() -> None:
    with pytest.raises(VoxhubAPIError) as caught:
        get_job("abc").parse(answer(200, {"id": "abc"}))
    assert caught.value.code == "invalid_response"


def test_job_ids_cannot_reach_other_routes() -> None:
    assert get_job("../../voices").path == "v1/tts/jobs/..%2F..%2Fvoices"


def test_events_parse_by_type() -> None:
    snapshot = JobEvent.parse(ServerSentEvent("snapshot", json.dumps(server_job()), "3"))
    assert snapshot.id == 3 and snapshot.job is not None and snapshot.job.id == "abc"
    assert snapshot.progress is not None and snapshot.progress.percent == 40.0
    heartbeat = JobEvent.parse(ServerSentEvent("heartbeat", '{"time": "2024-03-05T12:00"}', "3"))
    assert heartbeat.progress is None and heartbeat.job is None and not heartbeat.terminal
    final = JobEvent.parse(ServerSentEvent("status", json.dumps(progress_data("failed", 3)), "9"))
    assert final.terminal and final.progress is not None and final.progress.status == "failed"


def test_the_follower_resumes_after_the_last_event_and_stops_at_the_end() -> None:
    follower = EventFollower("abc")
    assert "Last-Event-ID" not in follower.headers()
    follower.timeout()
    first = follower.feed(progress_event(4, "running", 1) + progress_event(5, "running", 2)[:30])
    assert [e.id for e in first] == [4] and follower.last_event_id == "4"
    # the connection breaks mid-event: the next one asks for what came after event 4
    assert follower.dropped("reset") == 1.0
    assert follower.headers()["Last-Event-ID"] == "4"
    follower.timeout()
    rest = follower.feed(
        b"retry: 250\n\n"
        + progress_event(5, "running", 2)
        + progress_event(6, "succeeded", 5, "status")
        + progress_event(7, "running", 9)
    )
    assert [e.id for e in rest] == [5, 6] and follower.done


def test_the_follower_backs_off_then_gives_up() -> None:
    follower = EventFollower("abc", max_failures=3)
    delays = [follower.dropped("refused") for _ in range(3)]
    assert delays == [1.0, 2.0, 4.0]
    with pytest.raises(VoxhubConnectionError, match="after 3 attempts"):
        follower.dropped("refused")


def test_a_resumed_stream_that_closes_empty_means_the_job_had_ended() -> None:
    follower = EventFollower("abc", last_event_id=12)
    follower.timeout()
    follower.ended()
    assert follower.done
    # a first connection that ends early is resumed instead
    fresh = EventFollower("abc")
    fresh.timeout()
    assert fresh.ended() == 1.0 and not fresh.done


def test_the_follower_raises_errors_that_retrying_cannot_fix() -> None:
    follower = EventFollower("abc")
    not_found = answer(404, {"error": {"code": "job_not_found", "message": "No job abc."}})
    with pytest.raises(VoxhubAPIError, match="No job abc"):
        follower.rejected(not_found)
    busy = answer(503, {"error": {"code": "unavailable", "message": "x"}}, {"Retry-After": "5"})
    assert follower.rejected(busy) == 5.0


def test_the_api_key_goes_to_the_apis_own_origin_only() -> None:
    auth = OwnHostBearer("secret", httpx.URL("http://api.test:8000/"))
    for url, sent in [
        ("http://api.test:8000/v1/tts/jobs", True),
        ("http://api.test:8000/prefix/v1/voices", True),
        ("http://api.test:9000/v1/voices", False),
        ("https://api.test:8000/v1/voices", False),
        ("http://bucket.s3.test/audio.mp3?X-Amz-Signature=1", False),
    ]:
        request = next(auth.auth_flow(httpx.Request("GET", url)))
        assert ("Authorization" in request.headers) is sent, url
        if sent:
            assert request.headers["Authorization"] == "Bearer secret"


def test_downloads_are_named_after_the_job(tmp_path: Path) -> None:
    job = Job.model_validate(server_job("succeeded"))
    plan = downloads(job, tmp_path, ["audio", "srt", "vtt", "timings", "srt"])
    assert [(d.part, d.path, d.target.name) for d in plan] == [
        ("audio", "v1/tts/jobs/abc/audio", "abc.mp3"),
        ("srt", "v1/tts/jobs/abc/subtitles.srt", "abc.srt"),
        ("vtt", "v1/tts/jobs/abc/subtitles.vtt", "abc.vtt"),
        ("timings", "v1/tts/jobs/abc/timings.json", "abc.timings.json"),
    ]
    assert plan[0].partial.name == "abc.mp3.part"
    with pytest.raises(ValueError, match="Unknown parts"):
        downloads(job, tmp_path, ["audio", "video"])
