"""deploy/nginx.conf for real: Debian's nginx in front of two voxhub API processes and a
worker on PostgreSQL + Redis. WebSockets, Server-Sent Events and streamed audio pass as they
come, a 50 MB upload passes whole, requests reach both replicas, and the links voxhub returns
name the address the client called."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf
import yaml
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.deploy.cluster import BROKER, ROOT, Cluster, free_port, running_cluster
from tests.deploy.dockerfile import instructions as dockerfile_instructions
from tests.support.asr_support import frames, silence, tone

TERMINAL = {"succeeded", "failed", "cancelled"}
# six chunks of about 250 characters: the job runs for a few seconds with a slow engine
JOB_TEXT = " ".join(f"Sentence {n} of a job that takes a while to speak." for n in range(30))
STREAM_TEXT = " ".join(f"Sentence number {n} is spoken on its own." for n in range(6))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture
def api(cluster: Cluster) -> Iterator[httpx.Client]:
    cluster.plan_faults()
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        yield client
    cluster.plan_faults()


def test_requests_reach_both_replicas_with_the_request_id(
    api: httpx.Client, cluster: Cluster
) -> None:
    answers = [api.get("/v1/system", headers={"X-Request-ID": f"deploy-{n}"}) for n in range(8)]
    assert all(a.status_code == 200 for a in answers)
    assert {a.json()["process"]["pid"] for a in answers} == set(cluster.api_pids)
    # the client's id is kept; without one, nginx makes one and voxhub answers with it
    assert [a.headers["x-request-id"] for a in answers] == [f"deploy-{n}" for n in range(8)]
    made = api.get("/health").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    # and the replica's log lines of a request carry its id
    assert _logged(cluster, [f"[deploy-{n}]" for n in range(8)])


def test_links_name_the_host_the_client_called(api: httpx.Client, cluster: Cluster) -> None:
    spoken = api.post("/v1/tts", json={"text": "Hello there.", "voice": "espeak:en-us"})
    assert spoken.status_code == 200, spoken.text
    assert spoken.json()["audio_url"].startswith(f"{cluster.url}/v1/tts/audio/")
    # the Host the client sent, passed on by nginx, is the one in every link
    host = {"Host": "speech.example.test"}
    job = api.post("/v1/tts/jobs", json={"text": "One. Two."}, headers=host)
    assert job.status_code == 202, job.text
    urls = job.json()["urls"]
    assert urls["self"] == f"http://speech.example.test/v1/tts/jobs/{job.json()['id']}"
    assert urls["audio"].startswith("http://speech.example.test/")
    # and the audio a link names is served by whichever replica answers
    audio = api.get(spoken.json()["audio_url"].removeprefix(cluster.url))
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"


def test_a_recognition_session_through_the_proxy(cluster: Cluster) -> None:
    with connect(f"{cluster.ws}/v1/asr/stream", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "start", "sample_rate": 16000, "language": "en"}))
        ready = _until(ws, "ready")
        assert ready["engine"] == "fake"
        for frame in frames(silence(0.2) + tone(0.5) + silence(0.2)):
            ws.send(frame)
        ws.send(json.dumps({"type": "stop"}))
        final = _until(ws, "final")
    assert final["text"] == "w1 w2 w3 w4 w5"


def test_the_funasr_routes_upgrade_through_the_proxy(cluster: Cluster) -> None:
    with connect(f"{cluster.ws}/ws/asr", open_timeout=10) as ws:
        greeting = json.loads(ws.recv(timeout=10))
        assert greeting["type"] == "status", greeting
    # FunASR's runtime clients open "/" with the "binary" subprotocol
    with connect(f"{cluster.ws}/", open_timeout=10, subprotocols=[Subprotocol("binary")]) as ws:
        ws.send(json.dumps({"mode": "offline", "wav_name": "t", "is_speaking": True}))
        ws.send(tone(0.3))
        ws.send(json.dumps({"is_speaking": False}))
        result = json.loads(ws.recv(timeout=10))
    assert result["is_final"] is True and result["text"] == "w1 w2 w3", result


def test_job_progress_events_arrive_while_the_job_runs(api: httpx.Client, cluster: Cluster) -> None:
    # every chunk takes about a second: a buffering proxy would hold the events to the end
    cluster.plan_faults(delay_per_char=0.004)
    job = api.post("/v1/tts/jobs", json={"text": JOB_TEXT, "voice": "fake:a"}).json()
    statuses_at_progress: list[str] = []
    names: list[str] = []
    with api.stream("GET", f"/v1/tts/jobs/{job['id']}/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for name, data in _events(stream):
            names.append(name)
            if name == "progress" and not statuses_at_progress:
                # asked at once, on another connection: the job is still running
                statuses_at_progress.append(api.get(f"/v1/tts/jobs/{job['id']}").json()["status"])
            if data.get("status") in TERMINAL:
                break
    assert data["status"] == "succeeded", data
    assert names.count("progress") >= 2
    assert statuses_at_progress and statuses_at_progress[0] not in TERMINAL


def test_a_50_mb_upload_is_transcribed(api: httpx.Client) -> None:
    """Far over nginx's default 1 MB: it passes whole, and its last second is heard."""
    rate, seconds = 48_000, 265
    quiet = np.zeros((rate * seconds, 2), dtype=np.float32)
    t = np.arange(rate // 2, dtype=np.float32) / rate
    quiet[-rate : -rate // 2, :] = (0.3 * np.sin(2 * np.pi * 440 * t))[:, None]
    upload = io.BytesIO()
    sf.write(upload, quiet, rate, format="WAV", subtype="PCM_16")
    body = upload.getvalue()
    assert len(body) > 50_000_000
    answer = api.post(
        "/v1/asr/transcriptions",
        files={"file": ("long.wav", body, "audio/wav")},
        data={"language": "en"},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text[:500]
    result = answer.json()
    assert result["duration"] == pytest.approx(seconds, abs=0.05)
    assert result["text"] == "w1 w2 w3 w4 w5"


def test_streamed_speech_starts_before_it_ends(api: httpx.Client, cluster: Cluster) -> None:
    # each sentence takes about 0.4 s to speak: the first must arrive long before the last
    cluster.plan_faults(delay_per_char=0.01)
    arrivals: list[float] = []
    audio = bytearray()
    started = time.monotonic()
    with api.stream(
        "POST", "/v1/tts/stream", json={"text": STREAM_TEXT, "voice": "fake:a", "format": "wav"}
    ) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            arrivals.append(time.monotonic() - started)
            audio += chunk
    total = time.monotonic() - started
    assert len(arrivals) >= 3
    assert arrivals[0] < total / 2, (arrivals, total)
    samples, _rate = sf.read(io.BytesIO(bytes(audio)))
    assert len(samples) > 0


def test_the_worker_healthcheck_finds_the_worker_of_this_host(cluster: Cluster) -> None:
    script = [sys.executable, str(ROOT / "deploy" / "worker_health.py")]
    found = subprocess.run(script, env=cluster.env, capture_output=True, text=True, timeout=30)
    assert found.returncode == 0, found.stderr
    # on a broker no worker listens to, the check fails
    elsewhere = {**cluster.env, "VOXHUB_JOBS__BROKER_URL": BROKER.rsplit("/", 1)[0] + "/14"}
    lost = subprocess.run(script, env=elsewhere, capture_output=True, text=True, timeout=30)
    assert lost.returncode == 1 and "no worker" in lost.stderr


def test_the_healthchecks_of_image_and_compose_answer(cluster: Cluster) -> None:
    """The commands Docker would run in the containers, run here against a real API."""
    image = next(
        args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"
    ).partition("CMD ")[2]
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    api = compose["services"]["api-1"]["healthcheck"]["test"][1:]
    port = str(cluster.api_ports[0])
    for command in (json.loads(image), [part.replace("8000", port) for part in api]):
        env = {**cluster.env, "VOXHUB_SERVER__PORT": port}
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, (command, run.stderr)
        # and nothing listening is unhealthy
        env["VOXHUB_SERVER__PORT"] = str(free_port())
        down = [part.replace(port, env["VOXHUB_SERVER__PORT"]) for part in command]
        assert subprocess.run(down, env=env, capture_output=True, timeout=30).returncode != 0


def _logged(cluster: Cluster, needles: list[str]) -> bool:
    """Whether the API processes' logs hold every needle (given a moment to be written)."""
    deadline = time.monotonic() + 10
    while True:
        logged = "".join(log.read_text() for log in cluster.logs.glob("api-*.log"))
        missing = [needle for needle in needles if needle not in logged]
        if not missing:
            return True
        if time.monotonic() > deadline:
            raise AssertionError(f"not in the API logs: {missing}\n{logged[-2000:]}")
        time.sleep(0.1)


def _until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if message["type"] == kind:
            return message
        assert message["type"] == "partial", message


def _events(stream: httpx.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    fields: dict[str, str] = {}
    for line in stream.iter_lines():
        if line:
            key, _, value = line.partition(": ")
            fields[key] = value
        elif "data" in fields:
            yield fields.get("event", "message"), json.loads(fields["data"])
            fields = {}
