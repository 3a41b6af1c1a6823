"""A long-text job on S3 storage: real embedded workers share chunks through the bucket, and
downloads redirect to presigned URLs."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from tests.conftest import ENABLED
from tests.support.s3 import MotoS3
from voxhub.settings import EngineSettings, JobSettings, Settings, StorageSettings
from voxhub.subtitles.formats import parse_srt
from voxhub.tasks.workers import EmbeddedWorkers

TEXT = " ".join(f"Sentence number {n} of the stored job is spoken here." for n in range(40))
RESULTS = ["audio.wav", "subtitles.srt", "subtitles.vtt", "timings.json"]


@pytest.fixture
def settings(tmp_path: Path, s3_storage: StorageSettings) -> Settings:
    """The app of every test here keeps its files in a fresh bucket."""
    return Settings(
        data_dir=tmp_path,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=ENABLED),
        jobs=JobSettings(poll_interval=0.05),
        storage=s3_storage,
    )


@pytest.fixture
def workers(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`voxhub serve`'s embedded workers; they read these settings from their environment."""
    storage = settings.storage
    for name, value in {
        "ENGINES__ENABLED": '["espeak","fake"]',
        "ENGINES__DEFAULT": "espeak",
        "ENGINES__PRELOAD": '["espeak"]',
        "JOBS__POLL_INTERVAL": "0.05",
        "STORAGE__BACKEND": storage.backend,
        "STORAGE__BUCKET": storage.bucket,
        "STORAGE__ENDPOINT": storage.endpoint,
        "STORAGE__REGION": storage.region,
        "STORAGE__ACCESS_KEY_ID": storage.access_key_id,
        "STORAGE__SECRET_ACCESS_KEY": storage.secret_access_key,
        "STORAGE__PREFIX": storage.prefix,
    }.items():
        monkeypatch.setenv(f"VOXHUB_{name}", value)
    # the embedded stack: SQLite and the filesystem broker under the data directory
    monkeypatch.delenv("VOXHUB_DATABASE_URL", raising=False)
    monkeypatch.delenv("VOXHUB_JOBS__BROKER_URL", raising=False)
    return EmbeddedWorkers(settings, 2)


def wait_until_done(api: httpx.Client, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/v1/tts/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def follow(api: httpx.Client, url: str) -> httpx.Response:
    """GET a download: it must answer 307, and the link it gives must work without voxhub."""
    redirect = api.get(url)
    assert redirect.status_code == 307, redirect.text
    fetched = httpx.get(redirect.headers["location"])
    assert fetched.status_code == 200
    return fetched


def test_job_results_land_in_the_bucket_and_download_by_redirect(
    live_server: str,
    workers: EmbeddedWorkers,
    settings: Settings,
    moto_s3: MotoS3,
) -> None:
    workers.start()
    try:
        with httpx.Client(base_url=live_server, timeout=30) as api:
            submitted = api.post(
                "/v1/tts/jobs", json={"text": TEXT, "voice": "espeak:en-us", "format": "wav"}
            )
            assert submitted.status_code == 202, submitted.text
            job = submitted.json()
            assert job["progress"]["chunks_total"] >= 3
            done = wait_until_done(api, job["id"])
            assert done["status"] == "succeeded", done

            prefix = f"{settings.storage.prefix}/jobs/{job['id']}/"
            assert moto_s3.keys(settings.storage) == [prefix + name for name in RESULTS]
            # nothing of the job was kept on the local disk
            assert not (settings.data_dir / "jobs").exists()

            redirect = api.get(done["urls"]["audio"])
            assert redirect.status_code == 307
            location = redirect.headers["location"]
            bucket = f"{settings.storage.endpoint}/{settings.storage.bucket}/"
            assert location.startswith(bucket + prefix + "audio.wav?")
            audio = follow(api, done["urls"]["audio"])
            stored = moto_s3.client().get_object(
                Bucket=settings.storage.bucket, Key=prefix + "audio.wav"
            )
            assert audio.content == stored["Body"].read()
            assert audio.headers["content-type"] == "audio/wav"
            assert f'filename="{job["id"]}.wav"' in audio.headers["content-disposition"]
            duration = sf.info(io.BytesIO(audio.content)).duration
            assert abs(duration - done["duration"]) < 0.05

            cues = parse_srt(follow(api, done["urls"]["srt"]).text)
            spoken = re.sub(r"\s+", "", "".join(c.text for c in cues))
            assert spoken == re.sub(r"\s+", "", TEXT)
            assert abs(cues[-1].end - duration) < 0.05
            assert follow(api, done["urls"]["vtt"]).text.startswith("WEBVTT")
            assert len(follow(api, done["urls"]["timings"]).json()["cues"]) == len(cues)

            health = api.get("/health").json()
            assert health["dependencies"]["storage"]["ok"] is True
    finally:
        workers.stop()


async def test_online_audio_is_stored_in_the_bucket_too(
    client: httpx.AsyncClient, settings: Settings, moto_s3: MotoS3
) -> None:
    response = await client.post(
        "/v1/tts", json={"text": "Hello from S3.", "voice": "espeak:en-us"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    key = f"{settings.storage.prefix}/tts/{body['id'][:2]}/{body['id']}.wav"
    assert moto_s3.keys(settings.storage) == [key]
    redirect = await client.get(body["audio_url"])
    assert redirect.status_code == 307
    async with httpx.AsyncClient() as outside:
        audio = await outside.get(redirect.headers["location"])
    assert audio.status_code == 200 and audio.content.startswith(b"RIFF")
    assert audio.headers["content-type"] == "audio/wav"
    assert not (settings.data_dir / "tts").exists()


async def test_health_names_an_unreachable_bucket(
    client: httpx.AsyncClient, moto_s3: MotoS3, settings: Settings
) -> None:
    moto_s3.client().delete_bucket(Bucket=settings.storage.bucket)
    response = await client.get("/health")
    assert response.status_code == 503
    storage = response.json()["dependencies"]["storage"]
    assert storage["ok"] is False and storage["error"]
