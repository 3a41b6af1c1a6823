"""The shutdown contract, on real processes: SIGTERM or SIGINT to `voxhub serve`, to `voxhub
worker`, or to their whole process group stops every process within the shutdown timeout
(none left behind, none defunct), running chunks go back to the queue, and a second signal
stops everything at once."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jobstack import JobStack, running_stack, submit, wait_for
from tests.support.serve_process import TIMEOUT, Proc, Session, plan_faults, start_serve

# what "well within the timeout" means for a stop that has nothing stuck
PROMPT = 4.0
SENTENCES = [f"Sentence {n} of a job that is stopped." for n in range(24)]
TEXT = " ".join(SENTENCES)


@pytest.fixture
def sessions() -> Iterator[list[Session]]:
    """Whatever a test started is killed at its end, whatever happened."""
    started: list[Session] = []
    yield started
    for session in started:
        session.kill()


def chunk_statuses(data_dir: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(data_dir / "voxhub.db")) as db:
        rows = db.execute("SELECT status, count(*) FROM chunks GROUP BY status").fetchall()
    return {status: count for status, count in rows}


@pytest.mark.parametrize(
    ("sig", "group"),
    [(sig, group) for sig in (signal.SIGTERM, signal.SIGINT) for group in (False, True)],
    ids=["sigterm-to-serve", "sigterm-to-group", "sigint-to-serve", "sigint-to-group"],
)
def test_serve_stops_with_everything_it_started(
    tmp_path: Path, sessions: list[Session], sig: signal.Signals, group: bool
) -> None:
    session = start_serve(tmp_path)
    sessions.append(session)
    # the server, its worker process and that one's pool of two
    assert len(session.started) >= 4, session.started

    session.signal(sig, group)
    took = session.wait_gone(TIMEOUT)

    print(f"{sig.name} to {'the group' if group else 'serve'}: all gone in {took:.2f} s")
    assert took < PROMPT
    assert session.process.returncode == 0, session.tail()


def test_sigterm_to_the_embedded_workers_stops_them_and_serve_starts_new_ones(
    tmp_path: Path, sessions: list[Session]
) -> None:
    session = start_serve(tmp_path)
    sessions.append(session)
    workers = [proc for proc in session.started if " worker " in proc.command]
    [main] = [proc for proc in workers if proc.pid not in _pool_of(workers)]

    os.kill(main.pid, signal.SIGTERM)
    start = time.monotonic()
    while {proc.pid for proc in session.processes()} & {proc.pid for proc in workers}:
        assert time.monotonic() - start < PROMPT, session.processes()
        time.sleep(0.02)
    took = time.monotonic() - start

    print(f"SIGTERM to the embedded workers: they and their pool were gone in {took:.2f} s")
    assert session.process.poll() is None
    assert not [proc for proc in session.processes() if proc.state == "Z"]
    with httpx.Client(base_url=session.url, timeout=10) as api:
        job = submit(api, "Served by new workers.", voice="espeak:en-us")
        assert wait_for(api, job["id"], timeout=60)["status"] == "succeeded"


def _pool_of(workers: list[Proc]) -> set[int]:
    """The pids among `workers` whose parent is one of them: the pool processes."""
    pids = {proc.pid for proc in workers}
    pool = set()
    for proc in workers:
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
        if int(stat[stat.rindex(")") + 2 :].split()[1]) in pids:
            pool.add(proc.pid)
    return pool


@pytest.mark.parametrize("group", [False, True], ids=["sigterm-to-serve", "sigterm-to-group"])
def test_serve_with_several_api_processes_stops_them_all(
    tmp_path: Path, sessions: list[Session], group: bool
) -> None:
    session = start_serve(tmp_path, "--workers", "2")
    sessions.append(session)
    # the supervisor, two API processes, the worker process and its pool of two
    assert len(session.started) >= 6, session.started

    session.signal(signal.SIGTERM, group)
    took = session.wait_gone(TIMEOUT)

    print(f"SIGTERM to {'the group' if group else 'serve'}: all gone in {took:.2f} s")
    assert took < PROMPT


def test_a_running_chunk_goes_back_to_the_queue_and_its_job_completes_after_a_restart(
    tmp_path: Path, sessions: list[Session]
) -> None:
    # a lease that would hold the chunk for a minute, were it waited out
    lease = {"JOBS__LEASE": "60"}
    session = start_serve(tmp_path, **lease)
    sessions.append(session)
    plan_faults(tmp_path, delay_per_char=0.02)  # about 0.7 s a sentence
    with httpx.Client(base_url=session.url, timeout=10) as api:
        job = submit(api, TEXT, voice="fake:a")
        wait_for(api, job["id"], lambda j: j["status"] == "running", timeout=30)
        time.sleep(1.0)  # into the chunks' sentences

    session.signal(signal.SIGTERM, group=True)
    took = session.wait_gone(TIMEOUT)
    statuses = chunk_statuses(tmp_path)
    print(f"stopped in {took:.2f} s with a job running; chunks then: {statuses}")
    assert took < PROMPT
    # released, not left to their lease
    assert "running" not in statuses and statuses.get("pending", 0) >= 1, statuses

    plan_faults(tmp_path)
    started = time.monotonic()
    again = start_serve(tmp_path, **lease)
    sessions.append(again)
    with httpx.Client(base_url=again.url, timeout=10) as api:
        done = wait_for(api, job["id"], timeout=45)
        finished_after = time.monotonic() - started
        assert done["status"] == "succeeded", done
        assert done["progress"]["chunks_done"] == done["progress"]["chunks_total"]
        timings = api.get(done["urls"]["timings"]).json()
    print(f"the job completed {finished_after:.1f} s after the restart began")
    # whole: every sentence once, in order
    assert [sentence["text"] for sentence in timings["sentences"]] == SENTENCES
    assert finished_after < 45


def test_a_second_sigterm_stops_everything_at_once(tmp_path: Path, sessions: list[Session]) -> None:
    session = start_serve(tmp_path)
    sessions.append(session)
    plan_faults(tmp_path, delay_per_char=1.0)  # a sentence takes half a minute
    answers: list[Any] = []
    with httpx.Client(base_url=session.url, timeout=30) as api:
        submit(api, TEXT, voice="fake:a")
        request = threading.Thread(target=_speak, args=(session.url, answers), daemon=True)
        request.start()
        time.sleep(2.0)  # the chunks and the request are stuck in their first sentence

    session.signal(signal.SIGTERM, group=True)
    time.sleep(1.0)
    assert session.process.poll() is None, "the first SIGTERM is a graceful stop"
    session.signal(signal.SIGTERM, group=True)
    took = session.wait_gone(TIMEOUT)

    print(f"the second SIGTERM stopped everything in {took:.2f} s")
    assert took < 1.0
    request.join(10)
    assert answers and isinstance(answers[0], httpx.HTTPError), answers


def test_a_request_still_running_at_the_deadline_gets_503(
    tmp_path: Path, sessions: list[Session]
) -> None:
    session = start_serve(tmp_path, "--no-workers")
    sessions.append(session)
    plan_faults(tmp_path, delay_per_char=1.0)
    answers: list[Any] = []
    request = threading.Thread(target=_speak, args=(session.url, answers), daemon=True)
    request.start()
    time.sleep(1.5)

    session.signal(signal.SIGTERM, group=False)
    took = session.wait_gone(TIMEOUT)

    request.join(10)
    print(f"stopped in {took:.2f} s; the stuck request got {answers}")
    [answer] = answers
    assert isinstance(answer, httpx.Response) and answer.status_code == 503, answer
    assert answer.json()["error"]["code"] == "shutting_down"
    assert answer.headers["retry-after"] == "5"


def _speak(url: str, answers: list[Any]) -> None:
    try:
        answers.append(
            httpx.post(
                f"{url}/v1/tts", json={"text": "Stuck for good.", "voice": "fake:a"}, timeout=60
            )
        )
    except httpx.HTTPError as exc:
        answers.append(exc)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[JobStack]:
    env = {"VOXHUB_SHUTDOWN_TIMEOUT": str(TIMEOUT), "VOXHUB_JOBS__LEASE": "60"}
    with running_stack("embedded", tmp_path, extra_env=env) as running:
        yield running


@pytest.mark.parametrize(
    ("group", "signals"),
    [(False, 1), (True, 1), (True, 2)],
    ids=["sigterm-to-worker", "sigterm-to-group", "two-sigterms-to-group"],
)
def test_a_lone_worker_releases_its_chunks_and_stops(
    stack: JobStack, tmp_path: Path, group: bool, signals: int
) -> None:
    stack.plan_faults(delay_per_char=0.02 if signals == 1 else 1.0)
    with httpx.Client(base_url=stack.url, timeout=10) as api:
        job = submit(api, TEXT, voice="fake:a")
        wait_for(api, job["id"], lambda j: j["status"] == "running", timeout=30)
        time.sleep(1.5)
        assert stack.worker is not None
        worker = Session(stack.worker, tmp_path / "worker.log")
        assert len(worker.processes()) == 3  # the worker and its pool of two

        for count in range(signals):
            if count:
                time.sleep(1.0)
                assert worker.process.poll() is None, "the first SIGTERM is a graceful stop"
            worker.signal(signal.SIGTERM, group)
        # since the last signal
        took = worker.wait_gone(TIMEOUT)
        statuses = chunk_statuses(tmp_path)
        print(f"{signals} SIGTERM: the worker stopped in {took:.2f} s; chunks then: {statuses}")
        if signals == 2:
            # killed at once, its stuck chunks left to their lease
            assert took < 1.0
            return
        assert took < PROMPT
        assert "running" not in statuses, statuses

        stack.plan_faults()
        stack.start_worker()
        done = wait_for(api, job["id"], timeout=45)
    assert done["status"] == "succeeded", done
