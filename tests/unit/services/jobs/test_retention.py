"""Retention removes old finished jobs with their files, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.support.backends import fresh_database
from voxhub.db.repositories.jobs import JobStore
from voxhub.objects.local import LocalObjects
from voxhub.services.jobs.files import ChunkOutput, JobFiles
from voxhub.services.jobs.retention import Retention, parse_age


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("2w", timedelta(weeks=2)),
        ("1.5", timedelta(days=1.5)),
        ("0d", timedelta(0)),
    ],
)
def test_ages_read_as_written(text: str, age: timedelta) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "soon", "7y", "-1d"])
def test_bad_ages_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"7d|negative"):
        parse_age(text)


def test_old_finished_jobs_and_their_files_go_active_ones_stay(tmp_path: Path) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    store = JobStore(fresh_database(f"sqlite:///{tmp_path / 'jobs.db'}"), lambda: now[0])
    objects = LocalObjects(tmp_path / "objects")
    files = JobFiles(objects, tmp_path / "scratch")
    output = ChunkOutput(np.zeros(160, dtype=np.float32), 16000, ())
    for job_id in ("a" * 32, "b" * 32):
        store.create(job_id, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)
        files.save_chunk(job_id, 0, output)
    store.cancel("a" * 32)
    now[0] += timedelta(days=8)

    report = Retention(store, files).purge(timedelta(days=7))

    assert report.jobs == ["a" * 32] and report.objects == 2
    assert not (tmp_path / "objects" / "jobs" / ("a" * 32)).exists()
    assert store.get("b" * 32).status == "queued"
    assert files.load_chunk("b" * 32, 0).sample_rate == 16000
    assert Retention(store, files).purge(timedelta(days=7)).jobs == []
