"""The S3 object store against a real S3 protocol server (moto): keys, parts, links, health."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support.s3 import MotoS3
from voxhub.errors import ObjectNotFound, StorageUnavailable
from voxhub.objects.base import locate
from voxhub.objects.factory import object_store
from voxhub.objects.s3 import S3Objects
from voxhub.services.jobs.files import ChunkOutput, JobFiles
from voxhub.settings import Settings, StorageSettings
from voxhub.timing import SentenceTiming, WordTiming


@pytest.fixture
def store(s3_storage: StorageSettings, tmp_path: Path) -> S3Objects:
    built = object_store(Settings(data_dir=tmp_path, storage=s3_storage))
    assert isinstance(built, S3Objects)
    return built


def test_round_trip_under_the_prefix(
    store: S3Objects, s3_storage: StorageSettings, moto_s3: MotoS3
) -> None:
    store.put_bytes("jobs/abc/chunks/00000.pcm", b"\x00\x01")
    store.put_bytes("jobs/abc/chunks/00000.pcm", b"\x00\x02")
    assert store.get_bytes("jobs/abc/chunks/00000.pcm") == b"\x00\x02"
    assert b"".join(store.iter_bytes("jobs/abc/chunks/00000.pcm")) == b"\x00\x02"
    assert store.exists("jobs/abc/chunks/00000.pcm")
    assert not store.exists("jobs/abc/chunks/00001.pcm")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("jobs/abc/chunks/00001.pcm")
    assert store.local_path("jobs/abc/chunks/00000.pcm") is None
    assert moto_s3.keys(s3_storage) == ["deploy-a/jobs/abc/chunks/00000.pcm"]


def test_delete_prefix_removes_only_that_prefix(
    store: S3Objects, s3_storage: StorageSettings, moto_s3: MotoS3
) -> None:
    for index in range(5):
        store.put_bytes(f"jobs/abc/chunks/{index:05d}.pcm", b"x")
    store.put_bytes("jobs/abc/audio.wav", b"a")
    store.put_bytes("jobs/abcd/audio.wav", b"b")
    assert store.delete_prefix("jobs/abc/chunks") == 5
    assert store.delete_prefix("jobs/abc") == 1
    assert store.delete_prefix("jobs/abc") == 0
    assert moto_s3.keys(s3_storage) == ["deploy-a/jobs/abcd/audio.wav"]


def test_a_large_file_goes_up_in_parts(
    store: S3Objects, s3_storage: StorageSettings, moto_s3: MotoS3, tmp_path: Path
) -> None:
    source = tmp_path / "audio.wav"
    data = os.urandom(20 * 1024 * 1024 + 5)
    source.write_bytes(data)
    store.put_file("jobs/abc/audio.wav", source, "audio/wav", "abc.wav")
    head = moto_s3.client().head_object(Bucket=s3_storage.bucket, Key="deploy-a/jobs/abc/audio.wav")
    # a multipart upload's ETag ends in the number of its parts
    assert head["ContentLength"] == len(data) and head["ETag"].strip('"').endswith("-3")
    assert b"".join(store.iter_bytes("jobs/abc/audio.wav")) == data


def test_presigned_link_serves_the_object_with_its_download_headers(
    store: S3Objects, s3_storage: StorageSettings
) -> None:
    store.put_bytes("jobs/abc/subtitles.srt", b"1\n", "application/x-subrip", "abc.subtitles.srt")
    found = locate(store, "jobs/abc/subtitles.srt")
    assert found.path is None and found.url is not None
    assert found.url.startswith(
        f"{s3_storage.endpoint}/{s3_storage.bucket}/deploy-a/jobs/abc/subtitles.srt?"
    )
    assert "X-Amz-Expires=600" in found.url
    response = httpx.get(found.url)
    assert response.status_code == 200 and response.content == b"1\n"
    assert response.headers["content-type"] == "application/x-subrip"
    assert response.headers["content-disposition"] == 'attachment; filename="abc.subtitles.srt"'
    # without the signature the bucket refuses
    assert httpx.get(found.url.split("?")[0]).status_code == 403


def test_job_chunks_round_trip_through_s3(store: S3Objects) -> None:
    files = JobFiles(store)
    samples = np.sin(np.linspace(0, 100, 2400)).astype(np.float32) * 0.5
    sentence = SentenceTiming("Hi there.", 0.0, 0.1, (WordTiming("Hi", 0.0, 0.05),))
    files.save_chunk("a" * 32, 3, ChunkOutput(samples, 24000, (sentence,)))
    loaded = files.load_chunk("a" * 32, 3)
    assert loaded.sample_rate == 24000 and loaded.sentences == (sentence,)
    assert np.max(np.abs(loaded.samples - samples)) < 1e-4
    assert files.remove_chunks("a" * 32) == 2


def test_check_reports_reachability_quickly(
    store: S3Objects, s3_storage: StorageSettings, tmp_path: Path
) -> None:
    store.check()
    missing = s3_storage.model_copy(update={"bucket": "voxhub-no-such-bucket"})
    with pytest.raises(StorageUnavailable):
        S3Objects(missing).check()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        S3Objects(s3_storage.model_copy(update={"endpoint": closed})).check()
    assert time.monotonic() - started < 3
