"""The local object store: atomic puts, streamed reads, prefix deletes, health, settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from voxhub.container import Container
from voxhub.errors import ConfigurationError, InvalidInput, ObjectNotFound, StorageUnavailable
from voxhub.objects.base import Download, locate
from voxhub.objects.factory import object_store
from voxhub.objects.local import LocalObjects
from voxhub.settings import Settings, StorageSettings


@pytest.fixture
def store(tmp_path: Path) -> LocalObjects:
    return LocalObjects(tmp_path / "data")


def test_bytes_round_trip_under_the_key_as_a_path(store: LocalObjects, tmp_path: Path) -> None:
    store.put_bytes("jobs/abc/chunks/00003.pcm", b"\x01\x02")
    assert store.get_bytes("jobs/abc/chunks/00003.pcm") == b"\x01\x02"
    assert store.exists("jobs/abc/chunks/00003.pcm")
    path = tmp_path / "data" / "jobs" / "abc" / "chunks" / "00003.pcm"
    assert store.local_path("jobs/abc/chunks/00003.pcm") == path
    assert path.read_bytes() == b"\x01\x02"
    # the API serves local files itself
    assert store.download_url("jobs/abc/chunks/00003.pcm") is None
    assert locate(store, "jobs/abc/chunks/00003.pcm") == Download(path=path)


def test_overwrite_replaces_whole_object_and_leaves_no_partial_files(
    store: LocalObjects, tmp_path: Path
) -> None:
    store.put_bytes("jobs/abc/a.json", b"first, longer version")
    store.put_bytes("jobs/abc/a.json", b"second")
    assert store.get_bytes("jobs/abc/a.json") == b"second"
    assert os.listdir(tmp_path / "data" / "jobs" / "abc") == ["a.json"]


def test_large_file_is_uploaded_and_streamed_back_in_pieces(
    store: LocalObjects, tmp_path: Path
) -> None:
    source = tmp_path / "audio.wav"
    data = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(data)
    store.put_file("jobs/abc/audio.wav", source, "audio/wav", "abc.wav")
    pieces = list(store.iter_bytes("jobs/abc/audio.wav"))
    assert len(pieces) > 1 and b"".join(pieces) == data
    assert source.read_bytes() == data  # the source file is copied, not moved


def test_a_moved_file_is_renamed_into_place_not_copied(store: LocalObjects, tmp_path: Path) -> None:
    source = tmp_path / "audio.wav"
    source.write_bytes(b"RIFF....")
    inode = source.stat().st_ino
    store.move_file("jobs/abc/audio.wav", source, "audio/wav", "abc.wav")
    assert not source.exists()
    assert store.get_bytes("jobs/abc/audio.wav") == b"RIFF...."
    path = store.local_path("jobs/abc/audio.wav")
    assert path is not None and path.stat().st_ino == inode


def test_missing_objects(store: LocalObjects) -> None:
    assert not store.exists("jobs/abc/none.pcm")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("jobs/abc/none.pcm")
    with pytest.raises(ObjectNotFound):
        list(store.iter_bytes("jobs/abc/none.pcm"))
    with pytest.raises(ObjectNotFound):
        locate(store, "jobs/abc/none.pcm")


def test_delete_prefix_counts_and_spares_neighbours(store: LocalObjects, tmp_path: Path) -> None:
    for key in ["jobs/abc/chunks/00000.pcm", "jobs/abc/chunks/00001.pcm", "jobs/abc/audio.wav"]:
        store.put_bytes(key, b"x")
    store.put_bytes("jobs/abcd/audio.wav", b"y")
    assert store.delete_prefix("jobs/abc/chunks") == 2
    assert store.exists("jobs/abc/audio.wav")
    # empty folders go with their last file
    assert not (tmp_path / "data" / "jobs" / "abc" / "chunks").exists()
    assert store.delete_prefix("jobs/abc/") == 1
    assert store.delete_prefix("jobs/abc") == 0
    assert store.get_bytes("jobs/abcd/audio.wav") == b"y"


@pytest.mark.parametrize("key", ["../outside", "jobs/../x", "/abs", "a//b", "", "jobs/a b"])
def test_keys_are_plain_relative_names(store: LocalObjects, key: str) -> None:
    with pytest.raises(InvalidInput):
        store.put_bytes(key, b"x")


def test_check_writes_and_removes_a_probe(store: LocalObjects, tmp_path: Path) -> None:
    store.check()
    assert list((tmp_path / "data").iterdir()) == []


def test_check_fails_when_the_directory_cannot_be_used(tmp_path: Path) -> None:
    # a file where the data directory should be: neither root nor anyone can write there
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    with pytest.raises(StorageUnavailable):
        LocalObjects(blocked).check()


def test_nothing_is_created_before_first_use(tmp_path: Path) -> None:
    LocalObjects(tmp_path / "later")
    assert not (tmp_path / "later").exists()


def test_factory_builds_the_local_store_by_default(tmp_path: Path) -> None:
    store = object_store(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalObjects)
    assert store.local_path("jobs/x") == tmp_path.absolute() / "jobs" / "x"


@pytest.mark.parametrize(
    "storage",
    [
        StorageSettings(backend="s3"),
        StorageSettings(backend="gcs", bucket="b"),
        StorageSettings(backend="s3", bucket="b", access_key_id="only-the-id"),
        StorageSettings(backend="s3", bucket="b", presign_seconds=0),
        StorageSettings(backend="s3", bucket="b", presign_seconds=8 * 24 * 3600),
    ],
)
def test_settings_that_cannot_work_fail_at_start_up(
    tmp_path: Path, storage: StorageSettings
) -> None:
    settings = Settings(data_dir=tmp_path, storage=storage)
    with pytest.raises(ConfigurationError):
        object_store(settings)
    with pytest.raises(ConfigurationError):
        Container.build(settings)


_THREAD_MASKS = """
import os, signal, sys
from pathlib import Path
from voxhub.objects.local import LocalObjects

root = Path(sys.argv[1])
store = LocalObjects(root)
source = root.parent / "big.bin"
source.write_bytes(os.urandom(20 * 1024 * 1024))
store.put_file("jobs/a/big.bin", source)
store.put_bytes("jobs/a/x", b"x")
assert b"".join(store.iter_bytes("jobs/a/big.bin")) == source.read_bytes()
store.delete_prefix("jobs/a")
assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set(), "the caller's mask is restored"
for task in os.listdir("/proc/self/task"):
    name = Path(f"/proc/self/task/{task}/comm").read_text().strip()
    status = Path(f"/proc/self/task/{task}/status").read_text().splitlines()
    blocked = int(next(line for line in status if line.startswith("SigBlk")).split()[1], 16)
    print(task == str(os.getpid()), name, blocked)
"""


def test_obstore_threads_never_take_the_main_threads_signals(tmp_path: Path) -> None:
    """Celery's time limits signal the worker process; its main thread must get them."""
    result = subprocess.run(
        [sys.executable, "-c", _THREAD_MASKS, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=True,
    )
    threads = [line.split(" ") for line in result.stdout.splitlines()]
    # every thread but the main one (whatever the interpreter's name)
    runtime = [int(mask) for main, _, mask in threads if main == "False"]
    assert runtime, result.stdout
    for signum in (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT):
        assert all(mask & (1 << (signum - 1)) for mask in runtime), result.stdout
