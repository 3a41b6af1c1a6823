"""The fault-injecting store fails exactly the calls it was told to, then passes them on."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxhub.errors import ObjectNotFound, StorageUnavailable
from voxhub.objects.faults import FaultyObjects
from voxhub.objects.local import LocalObjects


@pytest.fixture
def faulty(tmp_path: Path) -> FaultyObjects:
    return FaultyObjects(LocalObjects(tmp_path))


def test_an_operation_fails_n_times_then_works(faulty: FaultyObjects) -> None:
    faulty.fail("put_bytes", times=2)
    for _ in range(2):
        with pytest.raises(StorageUnavailable):
            faulty.put_bytes("jobs/a/x", b"1")
    assert not faulty.inner.exists("jobs/a/x")
    faulty.put_bytes("jobs/a/x", b"1")
    assert faulty.get_bytes("jobs/a/x") == b"1"
    assert faulty.calls["put_bytes"] == 3
    assert faulty.failures == [("put_bytes", "jobs/a/x")] * 2


def test_faults_apply_only_to_matching_keys_and_operations(faulty: FaultyObjects) -> None:
    faulty.fail("get_bytes", times=-1, match="/audio")
    faulty.put_bytes("jobs/a/audio.wav", b"a")
    faulty.put_bytes("jobs/a/subtitles.srt", b"s")
    assert faulty.get_bytes("jobs/a/subtitles.srt") == b"s"
    for _ in range(3):
        with pytest.raises(StorageUnavailable):
            faulty.get_bytes("jobs/a/audio.wav")
    # a negative count fails for ever, until healed
    faulty.heal()
    assert faulty.get_bytes("jobs/a/audio.wav") == b"a"


def test_any_voxhub_error_can_be_injected(faulty: FaultyObjects) -> None:
    faulty.fail("exists", error=ObjectNotFound("gone"))
    with pytest.raises(ObjectNotFound):
        faulty.exists("jobs/a/x")
    assert faulty.exists("jobs/a/x") is False


def test_every_operation_can_fail(faulty: FaultyObjects, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(b"data")
    faulty.put_bytes("jobs/a/x", b"1")
    calls = {
        "put_file": lambda: faulty.put_file("jobs/a/y", source),
        "iter_bytes": lambda: list(faulty.iter_bytes("jobs/a/x")),
        "delete_prefix": lambda: faulty.delete_prefix("jobs/a"),
        "download_url": lambda: faulty.download_url("jobs/a/x"),
        "local_path": lambda: faulty.local_path("jobs/a/x"),
        "check": faulty.check,
    }
    for operation, call in calls.items():
        faulty.fail(operation)
        with pytest.raises(StorageUnavailable):
            call()
        call()
    assert not faulty.exists("jobs/a/x")


def test_unknown_operations_are_refused(faulty: FaultyObjects) -> None:
    with pytest.raises(ValueError):
        faulty.fail("rename")
