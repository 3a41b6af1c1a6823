"""The Python client, the `voxhub jobs` commands and the JavaScript client against a real
server and a real worker process (espeak)."""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import soundfile as sf

from tests.support.jobstack import JobStack, running_stack
from voxhub.client import (
    AsyncClient,
    Client,
    Job,
    JobEvent,
    JobProgress,
    VoxhubAPIError,
    VoxhubTimeoutError,
)
from voxhub.settings import StorageSettings
from voxhub.subtitles.formats import parse_srt

TEXT = " ".join(f"Sentence {n} of a job the client follows." for n in range(80))
SHORT = "A short job. It has two sentences."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobStack]:
    env = {"VOXHUB_EVENTS__HEARTBEAT": "0.5", "VOXHUB_EVENTS__POLL_INTERVAL": "0.1"}
    with running_stack("embedded", tmp_path_factory.mktemp("client"), extra_env=env) as running:
        yield running


@pytest.fixture
def client(stack: JobStack) -> Iterator[Client]:
    stack.plan_faults()
    with Client(stack.url, api_key="test-key") as voxhub:
        yield voxhub


@pytest.fixture(scope="module")
def finished(stack: JobStack) -> Job:
    """A job that has succeeded, for the tests that only read results."""
    with Client(stack.url) as voxhub:
        job = voxhub.submit_job(SHORT, voice="espeak:en-us", format="flac")
        return voxhub.wait(job.id, timeout=120)


def test_wait_reports_progress_in_order_and_returns_the_final_job(client: Client) -> None:
    job = client.submit_job(TEXT, voice="espeak:en-us", priority=7)
    assert job.status == "queued" and job.priority == 7
    seen: list[JobProgress] = []
    done = client.wait(job.id, on_progress=seen.append, timeout=120)
    assert done.id == job.id and done.status == "succeeded" and done.succeeded
    assert done.progress.percent == 100.0 and done.duration and done.duration > 10
    assert len(seen) >= 3, seen
    assert seen[-1].status == "succeeded" and seen[-1].chunks_done == job.progress.chunks_total
    for earlier, later in itertools.pairwise(seen):
        assert earlier.chunks_done <= later.chunks_done
        assert earlier.percent <= later.percent
    assert all(p.job_id == job.id for p in seen)


def test_download_writes_audio_and_subtitles(client: Client, finished: Job, tmp_path: Path) -> None:
    paths = client.download(finished.id, tmp_path / "out")
    assert set(paths) == {"audio", "srt"}
    assert paths["audio"] == tmp_path / "out" / f"{finished.id}.flac"
    info = sf.info(str(paths["audio"]))
    assert info.format == "FLAC" and abs(info.duration - (finished.duration or 0)) < 0.05
    cues = parse_srt(paths["srt"].read_text(encoding="utf-8"))
    assert "two sentences" in cues[-1].text and abs(cues[-1].end - info.duration) < 0.05
    everything = client.download(finished.id, tmp_path, ["vtt", "timings"])
    assert everything["vtt"].read_text(encoding="utf-8").startswith("WEBVTT")
    assert json.loads(everything["timings"].read_text(encoding="utf-8"))["cues"]
    assert not list(tmp_path.rglob("*.part"))


def test_errors_carry_the_servers_status_and_code(client: Client, finished: Job) -> None:
    with pytest.raises(VoxhubAPIError) as cancel:
        client.cancel_job(finished.id)
    assert cancel.value.status == 409 and cancel.value.code == "conflict"
    assert "succeeded" in cancel.value.message
    with pytest.raises(VoxhubAPIError) as retry:
        client.retry_job(finished.id)
    assert retry.value.status == 409
    with pytest.raises(VoxhubAPIError) as missing:
        client.get_job("0" * 32)
    assert missing.value.status == 404 and missing.value.code == "job_not_found"
    with pytest.raises(VoxhubAPIError) as events:
        list(client.events("0" * 32))
    assert events.value.status == 404
    with pytest.raises(VoxhubAPIError) as too_long:
        client.submit_job("a" * 50_001)
    assert too_long.value.status == 413 and too_long.value.code == "text_too_long"


def test_cancel_and_retry_through_the_client(client: Client, stack: JobStack) -> None:
    stack.plan_faults(delay_per_char=0.01)
    job = client.submit_job(TEXT, voice="fake:a")
    cancelled = client.cancel_job(job.id)
    assert cancelled.status == "cancelled"
    assert client.wait(job.id, timeout=30).status == "cancelled"  # returned, not raised
    stack.plan_faults()
    assert not client.retry_job(job.id).terminal
    assert client.wait(job.id, timeout=120).status == "succeeded"
    page = client.list_jobs(status="succeeded", limit=200)
    assert job.id in {j.id for j in page.jobs} and page.total >= 1


def test_wait_gives_up_after_its_timeout(client: Client, stack: JobStack) -> None:
    stack.plan_faults(delay_per_char=0.05)
    job = client.submit_job(TEXT, voice="fake:a")
    try:
        with pytest.raises(VoxhubTimeoutError):
            client.wait(job.id, timeout=1.0)
    finally:
        client.cancel_job(job.id)


def test_events_resume_after_a_given_id(client: Client, finished: Job) -> None:
    log = list(client.events(finished.id, last_event_id=0))
    assert log[-1].terminal and log[-1].progress and log[-1].progress.status == "succeeded"
    ids = [e.id for e in log if e.id is not None]
    assert len(ids) == len(log) and ids == sorted(set(ids))
    middle = log[len(log) // 2]
    assert [e.id for e in client.events(finished.id, last_event_id=middle.id)] == [
        i for i in ids if i is not None and middle.id is not None and i > middle.id
    ]
    # no cursor: the job's current state, and the stream ends since the job has
    only = list(client.events(finished.id))
    assert [e.event for e in only] == ["snapshot"] and only[0].job and only[0].job.succeeded


def test_a_dropped_stream_is_resumed_without_losing_events(client: Client, stack: JobStack) -> None:
    with CuttingProxy(stack.url, cut_after=1500) as proxy, Client(proxy.url) as flaky:
        job = client.submit_job(TEXT, voice="espeak:en-us")
        seen = list(flaky.events(job.id))
    assert proxy.connections >= 3, "the proxy must have cut the stream several times"
    assert seen[0].event == "snapshot" and seen[-1].terminal
    changes = [e for e in seen if e.event in ("status", "progress")]
    whole = [e for e in client.events(job.id, last_event_id=seen[0].id) if e.event != "heartbeat"]
    assert [(e.id, e.data) for e in changes] == [(e.id, e.data) for e in whole]


def test_downloads_from_s3_follow_the_presigned_redirect(
    tmp_path: Path, s3_storage: StorageSettings
) -> None:
    env = {f"VOXHUB_STORAGE__{k.upper()}": str(v) for k, v in s3_storage.model_dump().items()}
    with (
        running_stack("s3", tmp_path, extra_env=env) as s3_stack,
        Client(s3_stack.url, api_key="test-key") as voxhub,
    ):
        job = voxhub.submit_job(SHORT, voice="espeak:en-us")
        assert voxhub.wait(job.id, timeout=120).succeeded
        redirect = httpx.get(f"{s3_stack.url}/v1/tts/jobs/{job.id}/audio")
        assert redirect.status_code == 307
        assert redirect.headers["location"].startswith(s3_storage.endpoint)
        paths = voxhub.download(job.id, tmp_path / "out", ["audio", "srt"])
        assert sf.info(str(paths["audio"])).duration > 1
        assert "two sentences" in paths["srt"].read_text(encoding="utf-8")
        speech = voxhub.synthesize("Online audio from the bucket.", voice="espeak:en-us")
        assert abs(sf.info(io.BytesIO(speech.audio)).duration - speech.duration) < 0.05


async def test_the_async_client_follows_and_downloads(stack: JobStack, tmp_path: Path) -> None:
    async with AsyncClient(stack.url, api_key="test-key") as voxhub:
        job = await voxhub.submit_job(TEXT, voice="espeak:en-us", format="mp3")
        events: list[JobEvent] = [e async for e in voxhub.events(job.id)]
        assert events[0].event == "snapshot" and events[-1].terminal
        ids = [e.id for e in events if e.event != "heartbeat" and e.id is not None]
        assert len(ids) == len([e for e in events if e.event != "heartbeat"])
        assert ids == sorted(ids)
        percents: list[float] = []

        async def record(progress: JobProgress) -> None:
            percents.append(progress.percent)

        done = await voxhub.wait(job.id, on_progress=record, timeout=60)
        assert done.succeeded and percents == [100.0]
        paths = await voxhub.download(job.id, tmp_path, ["audio", "srt"])
        assert sf.info(str(paths["audio"])).duration > 10
        assert (await voxhub.get_job(job.id)).id == job.id
        assert job.id in {j.id for j in (await voxhub.list_jobs()).jobs}
        with pytest.raises(VoxhubAPIError) as conflict:
            await voxhub.cancel_job(job.id)
        assert conflict.value.status == 409


def voxhub_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VOXHUB_URL", "VOXHUB_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "voxhub.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_submit_wait_downloads_the_results(stack: JobStack, tmp_path: Path) -> None:
    (tmp_path / "chapter.txt").write_text(TEXT, encoding="utf-8")
    result = voxhub_cli(
        "jobs", "submit", "chapter.txt", "--voice", "espeak:en-us", "--format", "wav",
        "--wait", "--out", "results", "--url", stack.url, "--api-key", "test-key",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.suffix for p in paths] == [".wav", ".srt", ".vtt", ".json"]
    job_id = paths[0].stem
    files = [tmp_path / p for p in paths]
    assert all(f.parent == tmp_path / "results" for f in files)
    info = sf.info(str(files[0]))
    cues = parse_srt(files[1].read_text(encoding="utf-8"))
    assert abs(cues[-1].end - info.duration) < 0.05
    # progress lines on stderr (no terminal here), ending with the job's success
    assert f"job {job_id} queued" in result.stderr
    assert "succeeded 100.0%" in result.stderr and "chunks" in result.stderr
    assert f"job {job_id} succeeded" in result.stderr

    show = voxhub_cli("jobs", "show", job_id, "--url", stack.url, cwd=tmp_path)
    assert show.returncode == 0 and "succeeded" in show.stdout
    listed = voxhub_cli("jobs", "list", "--status", "succeeded", "--url", stack.url, cwd=tmp_path)
    assert job_id in listed.stdout
    watched = voxhub_cli("jobs", "watch", job_id, "--url", stack.url, cwd=tmp_path)
    assert watched.returncode == 0 and f"job {job_id} succeeded" in watched.stderr
    srt_only = voxhub_cli(
        "jobs", "download", job_id, "--part", "srt", "--out", "again", "--url", stack.url,
        cwd=tmp_path,
    )  # fmt: skip
    assert srt_only.stdout.split() == [f"again/{job_id}.srt"]
    again = voxhub_cli("jobs", "cancel", job_id, "--url", stack.url, cwd=tmp_path)
    assert again.returncode == 1
    assert "is succeeded" in again.stderr and "conflict, HTTP 409" in again.stderr


def test_cli_reports_failures_and_unreachable_servers(stack: JobStack, tmp_path: Path) -> None:
    stack.plan_faults(fail_on="Omega", times=-1)
    (tmp_path / "doomed.txt").write_text("Omega always fails here.", encoding="utf-8")
    failed = voxhub_cli(
        "jobs", "submit", "doomed.txt", "--voice", "fake:a", "--wait", "--url", stack.url,
        cwd=tmp_path,
    )  # fmt: skip
    assert failed.returncode == 1 and "failed" in failed.stderr and not failed.stdout.strip()
    stack.plan_faults()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    unreachable = voxhub_cli("jobs", "list", "--url", closed, cwd=tmp_path)
    assert unreachable.returncode == 1 and "Cannot reach the voxhub server" in unreachable.stderr


def test_the_javascript_client_watches_a_job(stack: JobStack, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = httpx.get(f"{stack.url}/static/voxhub.js")
    (tmp_path / "voxhub.mjs").write_text(script.text, encoding="utf-8")
    (tmp_path / "watch.mjs").write_text(WATCH_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [node, "--experimental-eventsource", "watch.mjs", stack.url, TEXT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "EventSource is not defined" in result.stderr:
        pytest.skip("this node has no EventSource")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["final"]["status"] == "succeeded"
    assert report["types"][0] == "snapshot" and report["types"][-1] == "status"
    assert report["ids"] == sorted(report["ids"])
    assert report["percents"] == sorted(report["percents"]) and report["percents"][-1] == 100
    assert report["cancel_error"] == {"status": 409, "code": "conflict"}


WATCH_SCRIPT = """
import { VoxhubClient } from "./voxhub.mjs";
const [url, text] = process.argv.slice(2);
const voxhub = new VoxhubClient({ baseUrl: url, apiKey: "test-key" });
const job = await voxhub.submitJob({ text, voice: "espeak:en-us" });
const types = [], ids = [], percents = [];
const watch = voxhub.watchJob(job.id, {
  onEvent: (event) => { types.push(event.type); ids.push(event.id); },
  onProgress: (progress) => percents.push(progress.percent),
});
const final = await watch.done;
let cancel_error = null;
try { await voxhub.cancelJob(job.id); } catch (error) {
  cancel_error = { status: error.status, code: error.code };
}
console.log(JSON.stringify({ final, types, ids, percents, cancel_error }));
"""


class CuttingProxy:
    """A TCP proxy that drops each connection after it has passed `cut_after` bytes of
    the server's answers: a network that keeps breaking streams mid-event."""

    def __init__(self, upstream: str, cut_after: int) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.connections = 0
        proxy = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy.connections += 1
                with socket.create_connection((host, int(port))) as server:
                    threading.Thread(target=_pump, args=(self.request, server), daemon=True).start()
                    passed = 0
                    while passed < cut_after and (data := server.recv(512)):
                        chunk = data[: cut_after - passed]
                        self.request.sendall(chunk)
                        passed += len(chunk)
                    # shutdown, not just close: it also wakes the pump blocked on this socket
                    self.request.shutdown(socket.SHUT_RDWR)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Pipe)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CuttingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(4096):
            target.sendall(data)
    except OSError:
        pass  # either side went away: the proxy is cutting this connection
