"""Crash recovery: a job's extra time when its worker group is SIGKILLed mid-job, and when
its broker restarts empty; every job must still come out whole."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from voxhub.benchmarks.server import ServeProcess, reachable, reset_database
from voxhub.benchmarks.texts import long_text

Out = Callable[[str], None]
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def run(out: Out = print, runs: int = 10, cluster_runs: int = 3, chars: int = 20_000) -> None:
    text = long_text(chars)
    out(f"crash recovery, espeak, a {len(text):,}-character job, 2 worker processes")
    _crashes(out, "embedded", {}, runs, text)
    if reachable(REDIS) and reachable(POSTGRES):
        cluster = {"VOXHUB_JOBS__BROKER_URL": REDIS, "VOXHUB_DATABASE_URL": POSTGRES}
        _crashes(out, "redis+postgresql", cluster, cluster_runs, text)
    else:
        out("redis+postgresql: skipped (servers not reachable)")
    _broker_restart(out, text)


class Stack:
    """`voxhub serve --no-workers` and one `voxhub worker` in a process group of its own."""

    def __init__(self, server: ServeProcess, api: httpx.Client) -> None:
        self.server = server
        self.api = api
        self._worker: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        command = self.server.voxhub("worker", "--concurrency", "2", "--loglevel", "WARNING")
        self._worker = subprocess.Popen(
            command,
            env=self.server.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill_worker(self) -> None:
        """SIGKILL to the worker's whole process group: no chance to hand anything back."""
        assert self._worker is not None
        os.killpg(self._worker.pid, signal.SIGKILL)
        self._worker.wait()
        self._worker = None

    def stop_worker(self) -> None:
        if self._worker is not None:
            self.kill_worker()

    def job(self, text: str, during: Callable[[dict[str, Any]], bool] | None = None) -> Result:
        """Submit, follow, and return the elapsed time and the finished job; `during` is
        called with each status until it returns True."""
        started = time.perf_counter()
        response = self.api.post("/v1/tts/jobs", json={"text": text, "voice": "espeak:en-us"})
        response.raise_for_status()
        url = response.json()["urls"]["self"]
        pending = during
        while True:
            status = self.api.get(url).json()
            if status["status"] in ("succeeded", "failed", "cancelled"):
                break
            if pending is not None and pending(status):
                pending = None
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if status["status"] != "succeeded":
            raise RuntimeError(f"job ended {status['status']}: {status['error']}")
        timings = self.api.get(status["urls"]["timings"]).json()
        return Result(elapsed, status, [s["text"] for s in timings["sentences"]])


class Result:
    def __init__(self, seconds: float, job: dict[str, Any], sentences: list[str]) -> None:
        self.seconds = seconds
        self.job = job
        self.sentences = sentences

    @property
    def duration(self) -> float:
        return float(self.job["duration"])

    def same_output(self, other: Result) -> bool:
        """Nothing missing or doubled: the same sentences in the same order, and audio as
        long within 0.1 % (a chunk spoken again may differ by a few milliseconds)."""
        close = abs(self.duration - other.duration) <= other.duration / 1000
        return self.sentences == other.sentences and close


def _crashes(out: Out, name: str, env: dict[str, str], runs: int, text: str) -> None:
    with _stack(env) as stack:
        stack.start_worker()
        stack.job(text[:500])  # the worker's processes load their engine
        undisturbed = [stack.job(text) for _ in range(2)]
        base = statistics.median(r.seconds for r in undisturbed)
        extra, whole = [], 0

        def crash_at_40_percent(status: dict[str, Any]) -> bool:
            if status["progress"]["percent"] < 40:
                return False
            stack.kill_worker()
            stack.start_worker()
            return True

        for _ in range(runs):
            crashed = stack.job(text, crash_at_40_percent)
            extra.append(crashed.seconds - base)
            if crashed.same_output(undisturbed[0]):
                whole += 1
            else:
                out(
                    f"  not whole: {len(crashed.sentences)} sentences, {crashed.duration:.3f} s "
                    f"of audio; undisturbed: {len(undisturbed[0].sentences)}, "
                    f"{undisturbed[0].duration:.3f} s"
                )
        stack.stop_worker()
    out(
        f"{name}: {base:.1f} s undisturbed; SIGKILL of the worker group at 40 % and an "
        f"immediate restart add median {statistics.median(extra):.1f} s "
        f"(min {min(extra):.1f}, max {max(extra):.1f}, {runs} runs); "
        f"{whole}/{runs} jobs whole (the same sentences, in order, as undisturbed)"
    )


def _broker_restart(out: Out, text: str) -> None:
    if not reachable(POSTGRES):
        out("broker restart: skipped (PostgreSQL not reachable)")
        return
    with tempfile.TemporaryDirectory() as folder, _private_redis(Path(folder)) as redis:
        env = {"VOXHUB_JOBS__BROKER_URL": redis.url, "VOXHUB_DATABASE_URL": POSTGRES}
        with _stack(env) as stack:
            stack.start_worker()
            stack.job(text[:500])
            back: list[float] = []

            def restart_at_40_percent(status: dict[str, Any]) -> bool:
                if status["progress"]["percent"] < 40:
                    return False
                redis.restart(down=2.0)
                back.append(time.perf_counter())
                return True

            result = stack.job(text, restart_at_40_percent)
            finished = time.perf_counter()
            stack.stop_worker()
    out(
        f"broker restart: a private Redis without persistence stopped for 2 s at 40 %; the job "
        f"completed {finished - back[0]:.1f} s after the broker's return "
        f"({result.job['progress']['chunks_done']}/{result.job['progress']['chunks_total']} "
        "chunks)"
    )


class _Redis:
    def __init__(self, folder: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._folder = folder
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            [*command, "--dir", str(self._folder)], stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def restart(self, down: float) -> None:
        """Everything it held is gone: no persistence."""
        self.stop()
        time.sleep(down)
        self.start()


@contextmanager
def _private_redis(folder: Path) -> Iterator[_Redis]:
    redis = _Redis(folder)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@contextmanager
def _stack(env: dict[str, str]) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory() as data_dir:
        if "VOXHUB_DATABASE_URL" in env:
            reset_database(env["VOXHUB_DATABASE_URL"])
        server = ServeProcess(Path(data_dir), "espeak", ["--no-workers"], env)
        if "VOXHUB_DATABASE_URL" in env:
            subprocess.run(
                server.voxhub("migrate"), env=server.env, check=True, capture_output=True
            )
        with server, httpx.Client(base_url=server.url, timeout=120) as api:
            stack = Stack(server, api)
            try:
                yield stack
            finally:
                stack.stop_worker()
