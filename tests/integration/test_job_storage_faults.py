"""Jobs whose object store fails: chunks retry, merges fail visibly, cleanup never loses a job."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import ENABLED
from voxhub.access import EVERYONE
from voxhub.container import Container
from voxhub.db.migrate import upgrade
from voxhub.engines.pool import EnginePool
from voxhub.objects.faults import FaultyObjects
from voxhub.services.jobs.files import JobFiles
from voxhub.services.jobs.runner import JobRunner
from voxhub.services.jobs.service import JobService
from voxhub.services.synthesis import SynthesisRequest
from voxhub.settings import EngineSettings, JobSettings, Settings

TEXT = "The first chunk is here. " * 12 + "And the second chunk follows it. " * 10


class _NoQueue:
    """The test runs each step itself."""

    def send_chunk(self, *args: object, **kwargs: object) -> None: ...

    def send_merge(self, job_id: str) -> None: ...

    def waiting(self) -> int | None:
        return None


@dataclass
class Runtime:
    runner: JobRunner
    service: JobService
    files: JobFiles
    faulty: FaultyObjects
    data_dir: Path

    def submit(self) -> tuple[str, int]:
        request = SynthesisRequest(text=TEXT, voice="espeak:en-us", format="wav")
        job = self.service.submit(request, EVERYONE)
        assert job.chunks_total >= 2
        return job.id, job.chunks_total

    def run_chunks(self, job_id: str, total: int) -> None:
        for index in range(total):
            outcome = self.runner.run_chunk(job_id, index)
            assert outcome.retry_in is None, outcome


@pytest.fixture
def runtime(tmp_path: Path, engine_pool: EnginePool) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=ENABLED),
        jobs=JobSettings(chunk_chars=300, max_retries=2),
    )
    container = Container.build(settings, engine_pool)
    upgrade(container.job_store.engine)
    faulty = FaultyObjects(container.objects)
    files = JobFiles(faulty, settings.scratch_dir)
    runner = JobRunner(
        container.job_store,
        files,
        container.synthesizer,
        settings.jobs,
        container.cue_rules,
        settings.online.sentence_pause,
    )
    service = JobService(container.job_store, _NoQueue(), container.synthesizer, settings.jobs)
    yield Runtime(runner, service, files, faulty, tmp_path)
    container.job_store.engine.dispose()


def test_a_chunk_whose_upload_fails_is_retried_and_merged_once(runtime: Runtime) -> None:
    job_id, total = runtime.submit()
    runtime.faulty.fail("put_bytes", times=1, match="chunks/00001.json")
    runtime.runner.run_chunk(job_id, 0)
    failed = runtime.runner.run_chunk(job_id, 1)
    assert failed.retry_in is not None and not failed.dead
    assert runtime.service.get(job_id, EVERYONE).status in ("running", "retrying")
    runtime.run_chunks(job_id, total)
    assert runtime.runner.merge(job_id)
    job = runtime.service.get(job_id, EVERYONE)
    # the first run and the retry of the chunk whose upload failed
    assert job.status == "succeeded" and job.attempts == 2
    found = runtime.files.find_result(job_id, "audio.wav")
    assert found.path is not None and found.url is None
    duration = sf.info(io.BytesIO(found.path.read_bytes())).duration
    assert job.duration is not None and abs(duration - job.duration) < 0.05
    # the merge removed the chunks; only the results are left
    names = sorted(p.name for p in (runtime.data_dir / "jobs" / job_id).iterdir())
    assert names == ["audio.wav", "subtitles.srt", "subtitles.vtt", "timings.json"]
    assert not list(runtime.data_dir.joinpath("tmp").iterdir())


def test_a_merge_whose_audio_upload_fails_fails_the_job(runtime: Runtime) -> None:
    job_id, total = runtime.submit()
    runtime.run_chunks(job_id, total)
    runtime.faulty.fail("move_file", times=1, match="/audio.")
    assert not runtime.runner.merge(job_id)
    job = runtime.service.get(job_id, EVERYONE)
    assert job.status == "failed" and job.error is not None
    assert "Merging the chunks failed" in job.error
    # the merge's temporary audio file is gone too
    assert not list(runtime.data_dir.joinpath("tmp").iterdir())


def test_a_failed_chunk_cleanup_does_not_undo_a_finished_job(runtime: Runtime) -> None:
    job_id, total = runtime.submit()
    runtime.run_chunks(job_id, total)
    runtime.faulty.fail("delete_prefix", times=1)
    assert runtime.runner.merge(job_id)
    assert runtime.service.get(job_id, EVERYONE).status == "succeeded"
    assert (runtime.data_dir / "jobs" / job_id / "chunks").is_dir()
    # removing the job later takes the leftover chunks with it
    assert runtime.files.remove(job_id) == 4 + 2 * total
    assert not (runtime.data_dir / "jobs").exists()
