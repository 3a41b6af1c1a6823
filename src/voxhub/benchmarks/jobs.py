"""Long-text jobs: worker scaling, orchestration throughput, and memory of the merge."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from voxhub.benchmarks.server import ServeProcess, reachable, reset_database
from voxhub.benchmarks.texts import ZH, mixed_text

Out = Callable[[str], None]
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/6"


def run(out: Out = print, kokoro_chars: int = 600, fake_chunks: int = 1000) -> None:
    out(f"voxhub jobs benchmark: {os.cpu_count()} cores, one run per line, same machine")
    _scaling(out, "espeak", mixed_text(50_000), {"VOXHUB_JOBS__CHUNK_CHARS": "250"})
    # ten chunks or more, so two workers can share the work evenly
    chunk = str(max(kokoro_chars // 10, 40))
    _scaling(out, "kokoro", (ZH * 200)[:kokoro_chars], {"VOXHUB_JOBS__CHUNK_CHARS": chunk})
    for broker in ("embedded", "redis"):
        _throughput(out, broker, fake_chunks)
    _merge_memory(out)


def _scaling(out: Out, engine: str, text: str, extra: dict[str, str]) -> None:
    """Wall time of one job with 1 and 2 worker processes (one inference thread each)."""
    seconds = {}
    for workers in (1, 2):
        env = {**extra, "VOXHUB_ENGINES__THREADS": "1"}
        with _stack(engine, workers, env) as api:
            seconds[workers] = _timed_job(api, text, f"{engine}:{_voice(engine)}")
    out(
        f"{engine} {len(text):,} chars: 1 worker {seconds[1]:.1f} s, 2 workers "
        f"{seconds[2]:.1f} s, speed-up {seconds[1] / seconds[2]:.2f}x"
    )


def _throughput(out: Out, broker: str, chunks: int) -> None:
    """Chunks per second with an instant engine: the cost of the queue and the database."""
    env = {"VOXHUB_JOBS__CHUNK_CHARS": "12"}
    if broker == "redis":
        if not (reachable(REDIS) and reachable(POSTGRES)):
            out("redis throughput: skipped (Redis or PostgreSQL not reachable)")
            return
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        env |= {"VOXHUB_JOBS__BROKER_URL": REDIS, "VOXHUB_DATABASE_URL": POSTGRES}
    text = " ".join(f"Line {n:05d}." for n in range(chunks))
    with _stack("fake", 2, env) as api:
        seconds = _timed_job(api, text, "fake:a")
        job = api.get("/v1/tts/jobs", params={"limit": 1}).json()["jobs"][0]
    # workers' rate from the job's own clock: first chunk claimed to merge finished
    busy = (_time(job["finished_at"]) - _time(job["started_at"])).total_seconds()
    out(
        f"{broker} broker: {chunks} chunks, {chunks / busy:.0f} chunks/s through the workers "
        f"({busy:.1f} s); submit to done {seconds:.1f} s ({chunks / seconds:.0f} chunks/s)"
    )


def _merge_memory(out: Out) -> None:
    """Peak RSS of a process merging the chunks of a 10,000 and a 50,000 character job."""
    peaks = {}
    for length in (10_000, 50_000):
        with tempfile.TemporaryDirectory() as folder:
            job_id = _prepared(Path(folder), mixed_text(length))
            result = subprocess.run(
                [sys.executable, "-m", "voxhub.benchmarks.jobs", "merge", folder, job_id],
                capture_output=True,
                text=True,
                check=True,
            )
            peaks[length] = json.loads(result.stdout.strip().splitlines()[-1])
    small, large = peaks[10_000], peaks[50_000]
    out(
        f"merge peak RSS: 10,000 chars {small['peak_mb']:.0f} MB "
        f"(+{small['peak_mb'] - small['before_mb']:.0f} MB over start-up, "
        f"{small['audio_s']:.0f} s of audio), 50,000 chars {large['peak_mb']:.0f} MB "
        f"(+{large['peak_mb'] - large['before_mb']:.0f} MB, {large['audio_s']:.0f} s), "
        f"ratio {large['peak_mb'] / small['peak_mb']:.2f}"
    )


def _prepared(data_dir: Path, text: str) -> str:
    """A job whose chunks are synthesized (espeak, in this process) but not yet merged."""
    from voxhub.container import Container
    from voxhub.db.migrate import upgrade
    from voxhub.services.jobs.runner import JobRunner
    from voxhub.services.synthesis import SynthesisRequest
    from voxhub.settings import EngineSettings, Settings

    settings = Settings(
        data_dir=data_dir,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=["espeak"]),
    )
    container = Container.build(settings)
    upgrade(container.job_store.engine)

    class _Hold:
        def send_chunk(self, *args: Any, **kwargs: Any) -> None: ...

        def send_merge(self, job_id: str) -> None: ...

        def waiting(self) -> int | None:
            return None

    from voxhub.access import EVERYONE
    from voxhub.services.jobs.service import JobService

    service = JobService(container.job_store, _Hold(), container.synthesizer, settings.jobs)
    request = SynthesisRequest(text=text, voice="espeak:cmn", format="wav")
    job = service.submit(request, EVERYONE)
    runner = _runner(container, settings, JobRunner)
    for index in range(job.chunks_total):
        runner.run_chunk(job.id, index)
    return job.id


def _runner(container: Any, settings: Any, runner_class: Any) -> Any:
    return runner_class(
        container.job_store,
        container.job_files,
        container.synthesizer,
        settings.jobs,
        container.cue_rules,
        settings.online.sentence_pause,
    )


def _merge_in_this_process(data_dir: str, job_id: str) -> None:
    from voxhub.container import Container
    from voxhub.services.jobs.runner import JobRunner
    from voxhub.settings import EngineSettings, Settings

    settings = Settings(
        data_dir=Path(data_dir),
        engines=EngineSettings(default="espeak", preload=[], enabled=["espeak"]),
    )
    container = Container.build(settings)
    runner = _runner(container, settings, JobRunner)
    before = _peak_mb()
    assert runner.merge(job_id), "merge did not succeed"
    duration = container.job_store.get(job_id).duration
    print(json.dumps({"before_mb": before, "peak_mb": _peak_mb(), "audio_s": duration}))


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _voice(engine: str) -> str:
    return {"espeak": "cmn", "kokoro": "jm_kumo", "fake": "a"}[engine]


def _timed_job(api: httpx.Client, text: str, voice: str) -> float:
    started = time.perf_counter()
    job = api.post("/v1/tts/jobs", json={"text": text, "voice": voice, "format": "wav"})
    job.raise_for_status()
    url = job.json()["urls"]["self"]
    while True:
        status = api.get(url).json()
        if status["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.05)
    if status["status"] != "succeeded":
        raise RuntimeError(f"benchmark job ended {status['status']}: {status['error']}")
    return time.perf_counter() - started


@contextmanager
def _stack(engine: str, workers: int, extra: dict[str, str]) -> Iterator[httpx.Client]:
    """`voxhub serve` with its embedded workers (or on the given broker), on a free port."""
    with tempfile.TemporaryDirectory() as data_dir:
        server = ServeProcess(Path(data_dir), engine, [f"--job-workers={workers}"], extra)
        if "VOXHUB_DATABASE_URL" in extra:
            reset_database(extra["VOXHUB_DATABASE_URL"])
            migrate = server.voxhub("migrate")
            subprocess.run(migrate, env=server.env, check=True, capture_output=True)
        with server, httpx.Client(base_url=server.url, timeout=120) as api:
            # let every worker process load its model before the clock starts
            time.sleep(3 + 3 * workers if engine == "kokoro" else 3)
            yield api


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "merge":
    _merge_in_this_process(sys.argv[2], sys.argv[3])
