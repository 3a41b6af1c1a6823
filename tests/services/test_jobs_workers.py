"""Long-text jobs through real Celery workers: embedded (SQLite + filesystem broker),
Redis + PostgreSQL, and RabbitMQ + MariaDB."""

from __future__ import annotations

import io
import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import soundfile as sf

from tests.support.backends import MARIADB, POSTGRES, RABBITMQ, REDIS
from tests.support.jobstack import JobStack, running_stack, submit, wait_for
from voxhub.benchmarks.texts import mixed_text
from voxhub.subtitles.formats import parse_srt

REDIS_DB = REDIS.rsplit("/", 1)[0] + "/5"
STACKS = {
    "embedded": (None, None),
    "redis+postgresql": (POSTGRES, REDIS_DB),
    "rabbitmq+mariadb": (MARIADB, RABBITMQ),
}


def dead_letter_count(url: str) -> int:
    from kombu.connection import Connection

    from voxhub.tasks.celery_app import dead_letter_queue

    with Connection(url) as connection:
        bound = dead_letter_queue().bind(connection.default_channel)
        _, messages, _ = bound.queue_declare(passive=True)
        return int(messages)


@pytest.fixture(scope="module", params=list(STACKS))
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JobStack]:
    database, broker = STACKS[request.param]
    data_dir = tmp_path_factory.mktemp(re.sub(r"\W", "-", request.param))
    with running_stack(request.param, data_dir, database, broker) as job_stack:
        yield job_stack


@pytest.fixture
def api(stack: JobStack) -> Iterator[httpx.Client]:
    stack.plan_faults()
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


def check_results(api: httpx.Client, job: dict[str, Any], text: str) -> float:
    """Subtitles cover the text once, in order; audio ends with the last cue."""
    srt = api.get(job["urls"]["srt"])
    assert srt.status_code == 200
    cues = parse_srt(srt.text)
    spoken = re.sub(r"\s+", "", "".join(c.text for c in cues))
    assert spoken == re.sub(r"\s+", "", text)
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start < earlier.end <= later.start
    audio = api.get(job["urls"]["audio"])
    assert audio.status_code == 200
    info = sf.info(io.BytesIO(audio.content))
    assert abs(info.duration - cues[-1].end) < 0.05, (info.duration, cues[-1].end)
    assert abs(info.duration - job["duration"]) < 0.05
    vtt = api.get(job["urls"]["vtt"])
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    timings = api.get(job["urls"]["timings"]).json()
    assert len(timings["cues"]) == len(cues)
    return float(info.duration)


def test_mixed_chinese_english_job_succeeds(stack: JobStack, api: httpx.Client) -> None:
    # the full 50,000 characters on the embedded stack; the servers get a shorter text
    length = 50_000 if stack.name == "embedded" else 3_000
    text = mixed_text(length)
    job = submit(api, text, voice="espeak:cmn", format="wav", sample_rate=8000, speed=2.0)
    assert job["progress"]["chunks_total"] >= length // 250
    done = wait_for(api, job["id"], timeout=600)
    assert done["status"] == "succeeded", done
    assert done["progress"]["percent"] == 100.0
    duration = check_results(api, done, text)
    assert duration > length / 20  # espeak at double speed: well over 20 characters a second


def test_worker_killed_mid_job_loses_and_repeats_nothing(
    stack: JobStack, api: httpx.Client
) -> None:
    # one second per chunk, so the kill lands with chunks running and queued
    stack.plan_faults(delay_per_char=0.004)
    text = " ".join(f"Sentence {n} of the killed job is here." for n in range(150))
    job = submit(api, text, voice="fake:a")
    total = job["progress"]["chunks_total"]
    wait_for(api, job["id"], lambda j: j["progress"]["chunks_done"] >= 3)
    stack.kill_worker()
    stack.start_worker()
    done = wait_for(api, job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["chunks_done"] == total
    check_results(api, done, text)
    # a chunk cut off by the kill ran twice, yet appears once (its attempts counted)
    assert done["attempts"] >= 2


def test_chunk_failing_twice_is_retried_with_growing_delays(
    stack: JobStack, api: httpx.Client
) -> None:
    stack.plan_faults(fail_on="Gamma", times=2)
    text = "Alpha comes first. Beta comes next. Gamma fails twice. Delta ends it."
    job = submit(api, text, voice="fake:a")
    done = wait_for(api, job["id"])
    assert done["status"] == "succeeded", done
    # the first run and Gamma's two retries, however many chunks the job has
    assert done["attempts"] == 3
    first, second, third = [*stack.faults()["failures"], time.time()][:3]
    # backoff 0.5 s then 1.5 s: the wait before the second retry is clearly longer
    assert second - first >= 0.4
    assert third - second > (second - first) * 1.5
    check_results(api, done, text)


def test_exhausted_retries_dead_letter_then_manual_retry(
    stack: JobStack, api: httpx.Client
) -> None:
    broker = stack.env["VOXHUB_JOBS__BROKER_URL"]
    before = dead_letter_count(broker) if broker.startswith("amqp") else 0
    stack.plan_faults(fail_on="Omega", times=-1)
    text = "This part is fine. " * 30 + "Omega always fails. " + "The rest is fine too. " * 30
    job = submit(api, text, voice="fake:a")
    failed = wait_for(api, job["id"])
    assert failed["status"] == "failed" and failed["dead_lettered"], failed
    assert "failed after 3 attempts" in failed["error"]
    assert len(stack.faults()["failures"]) == 3
    if broker.startswith("amqp"):
        assert dead_letter_count(broker) == before + 1
    stack.plan_faults()
    retried = api.post(failed["urls"]["retry"])
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    done = wait_for(api, job["id"])
    assert done["status"] == "succeeded" and not done["dead_lettered"], done
    assert done["manual_retries"] == 1
    check_results(api, done, text)


def test_cancel_a_running_job_stops_its_work(stack: JobStack, api: httpx.Client) -> None:
    stack.plan_faults(delay_per_char=0.004)
    text = " ".join(f"Sentence {n} of the cancelled job." for n in range(300))
    job = submit(api, text, voice="fake:a")
    wait_for(
        api, job["id"], lambda j: j["status"] == "running" and j["progress"]["chunks_done"] >= 1
    )
    cancelled = api.post(job["urls"]["cancel"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    at_cancel = cancelled.json()["progress"]["chunks_done"]
    time.sleep(3)
    later = api.get(job["urls"]["self"]).json()
    assert later["status"] == "cancelled"
    # the two chunks in flight stop at their next sentence; nothing new starts
    assert later["progress"]["chunks_done"] <= at_cancel + 2
    assert later["progress"]["chunks_done"] < later["progress"]["chunks_total"]


def test_stuck_chunk_hits_its_time_limit_and_fails_the_job(
    stack: JobStack, api: httpx.Client
) -> None:
    # 1 s per character: far past this 5-character chunk's limit of 4 + 0.02 * 5 seconds
    stack.plan_faults(delay_per_char=1.0)
    job = submit(api, "Slow.", voice="fake:a")
    failed = wait_for(api, job["id"], timeout=120)
    assert failed["status"] == "failed" and failed["dead_lettered"], failed
    # the soft limit raises inside the task; where the hard limit kills the worker process
    # first, the reconciler finds the chunk's lease expired: either way the job fails
    assert "TimeLimitExceeded" in failed["error"] or "time limit" in failed["error"]
    assert failed["attempts"] == 3
