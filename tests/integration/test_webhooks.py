"""Signed job callbacks through a real API, a real worker and real receivers on 127.0.0.x."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jobstack import JobStack, running_stack, submit, wait_for
from voxhub.services.webhooks.signing import verify

SECRET = "whsec-test-secret"
TEXT = "Hello from the webhook test. It is short."


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """An HTTP server that records every POST and answers `status` (with `location`)."""

    host: str = "127.0.0.1"
    port: int = 0
    status: int = 204
    location: str | None = None
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(**options: Any) -> Receiver:
        started.append(Receiver(**options).start())
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobStack]:
    env = {
        "VOXHUB_WEBHOOKS__SECRET": SECRET,
        # the receivers run on this machine: loopback is refused unless allowed
        "VOXHUB_WEBHOOKS__ALLOW_HOSTS": '["127.0.0.1"]',
        "VOXHUB_WEBHOOKS__TIMEOUT": "3",
        "VOXHUB_WEBHOOKS__MAX_ATTEMPTS": "12",
        "VOXHUB_WEBHOOKS__RETRY_INITIAL": "1",
        "VOXHUB_WEBHOOKS__RETRY_MULTIPLIER": "1.5",
        "VOXHUB_WEBHOOKS__RETRY_MAX": "3",
        "VOXHUB_WEBHOOKS__RESEND_AFTER": "2",
    }
    data_dir: Path = tmp_path_factory.mktemp("webhooks")
    with running_stack("embedded", data_dir, extra_env=env) as job_stack:
        yield job_stack


@pytest.fixture
def api(stack: JobStack) -> Iterator[httpx.Client]:
    stack.plan_faults()
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def webhooks_of(api: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = api.get(f"/v1/tts/jobs/{job_id}").json()["webhooks"]
    return hooks


def wait_webhooks(
    api: httpx.Client,
    job_id: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 60,
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hooks = webhooks_of(api, job_id)
        if done(hooks):
            return hooks
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} webhooks still {hooks}")


def settled(hooks: list[dict[str, Any]]) -> bool:
    """Every delivery finished, and the terminal one exists."""
    return any(h["event"] != "job.progress" for h in hooks) and all(
        h["status"] in ("delivered", "failed") for h in hooks
    )


def check_signed(received: Received, delivery: dict[str, Any]) -> None:
    assert received.headers["voxhub-delivery"] == delivery["id"]
    assert received.headers["voxhub-event"] == delivery["event"]
    assert received.headers["content-type"] == "application/json"
    assert verify(SECRET, received.body, received.headers["voxhub-signature"])
    assert not verify("another-secret", received.body, received.headers["voxhub-signature"])
    assert received.json["id"] == delivery["id"]
    assert received.json["event"] == delivery["event"]


def test_delivery_is_retried_until_the_receiver_comes_up_then_sent_once(
    api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    port = free_port()  # nothing listens there yet: connections are refused
    job = submit(api, TEXT, callback_url=f"http://127.0.0.1:{port}/hooks/voxhub?team=7")
    assert job["callback_url"] == f"http://127.0.0.1:{port}/hooks/voxhub?team=7"
    wait_webhooks(api, job["id"], lambda h: bool(h) and len(h[0]["attempts"]) >= 2)
    receiver = receivers(port=port)
    [hook] = wait_webhooks(api, job["id"], settled)
    time.sleep(2.5)  # long enough for a duplicate, if one were coming

    assert hook["status"] == "delivered" and hook["event"] == "job.succeeded"
    assert hook["delivered_at"] is not None
    *refused, accepted = hook["attempts"]
    assert len(refused) >= 2
    for attempt in refused:
        assert attempt["status_code"] is None
        assert "ConnectError" in attempt["error"] and "refused" in attempt["error"].lower()
    assert (accepted["status_code"], accepted["error"]) == (204, None)
    first, second = (a["attempted_at"] for a in refused[:2])
    assert first < second

    [received] = receiver.received
    assert received.path == "/hooks/voxhub?team=7"
    check_signed(received, hook)
    assert received.headers["voxhub-attempt"] == str(len(hook["attempts"]))
    body = received.json
    assert body["job"]["id"] == job["id"]
    assert body["job"]["status"] == "succeeded"
    assert body["job"]["percent"] == 100.0
    assert body["job"]["urls"]["audio"].endswith(f"/v1/tts/jobs/{job['id']}/audio")
    assert isinstance(body["event_id"], int)
    # the job's own record matches what was sent
    assert webhooks_of(api, job["id"])[0]["attempts"] == hook["attempts"]


def test_redirect_to_a_private_address_is_not_followed(
    api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    # 127.0.0.2 is loopback too, and only 127.0.0.1 is allowed
    private = receivers(host="127.0.0.2")
    redirector = receivers(status=307, location=f"{private.url}/stolen")
    job = submit(api, TEXT, callback_url=f"{redirector.url}/hook")
    [hook] = wait_webhooks(api, job["id"], settled)

    assert hook["status"] == "failed"
    # refused by policy: retrying cannot help, so it is not retried
    [attempt] = hook["attempts"]
    assert attempt["status_code"] is None
    assert f"redirect to {private.url}/stolen is refused" in attempt["error"]
    assert "loopback" in attempt["error"]
    assert len(redirector.received) == 1
    assert private.received == []


def test_redirect_to_an_allowed_address_is_followed_with_the_same_signed_post(
    api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    target = receivers()
    redirector = receivers(status=308, location=f"{target.url}/moved")
    job = submit(api, TEXT, callback_url=f"{redirector.url}/hook")
    [hook] = wait_webhooks(api, job["id"], settled)

    assert hook["status"] == "delivered"
    assert [a["status_code"] for a in hook["attempts"]] == [204]
    [first] = redirector.received
    [moved] = target.received
    assert moved.path == "/moved"
    assert moved.body == first.body
    check_signed(moved, hook)


def test_failed_and_cancelled_jobs_are_called_back_once(
    stack: JobStack, api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    receiver = receivers()
    stack.plan_faults(fail_on="Omega", times=-1)
    failing = submit(api, "Omega always fails.", voice="fake:a", callback_url=receiver.url)
    [failed_hook] = wait_webhooks(api, failing["id"], settled)
    assert failed_hook["event"] == "job.failed" and failed_hook["status"] == "delivered"

    stack.plan_faults(delay_per_char=0.004)
    text = " ".join(f"Sentence {n} of the cancelled job." for n in range(300))
    slow = submit(api, text, voice="fake:a", callback_url=receiver.url)
    wait_for(api, slow["id"], lambda job: job["progress"]["chunks_done"] >= 1)
    assert api.post(slow["urls"]["cancel"]).status_code == 200
    [cancelled_hook] = wait_webhooks(api, slow["id"], settled)
    time.sleep(2)  # chunks still running finish after the cancel: no second callback
    assert len(webhooks_of(api, slow["id"])) == 1
    assert cancelled_hook["event"] == "job.cancelled"

    by_event = {r.headers["voxhub-event"]: r for r in receiver.received}
    assert len(receiver.received) == 2 and set(by_event) == {"job.failed", "job.cancelled"}
    failure = by_event["job.failed"].json["job"]
    assert failure["status"] == "failed" and failure["dead_lettered"] is True
    assert "Omega" in failure["error"]
    check_signed(by_event["job.cancelled"], cancelled_hook)


def test_progress_callbacks_only_when_asked(
    api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    receiver = receivers()
    text = " ".join(f"This is sentence number {n} of a text in several chunks." for n in range(14))
    job = submit(api, text, callback_url=receiver.url, callback_progress=True)
    assert job["progress"]["chunks_total"] >= 3 and job["callback_progress"] is True
    hooks = wait_webhooks(api, job["id"], settled)

    assert all(h["status"] == "delivered" for h in hooks)
    events = [h["event"] for h in hooks]
    assert events.count("job.succeeded") == 1 and events[-1] == "job.succeeded"
    assert events.count("job.progress") >= job["progress"]["chunks_total"]
    assert sorted(r.json["id"] for r in receiver.received) == sorted(h["id"] for h in hooks)
    bodies = [r.json for r in receiver.received if r.json["event"] == "job.progress"]
    assert {b["job"]["status"] for b in bodies} <= {"queued", "running", "retrying"}
    assert max(b["job"]["chunks_done"] for b in bodies) == job["progress"]["chunks_total"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://[::1]:8080/", "::1 is a loopback address"),
        ("http://127.0.0.2:8080/", "127.0.0.2 is a loopback address"),
        ("http://[::ffff:10.1.1.1]/", "a private address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("ftp://127.0.0.1/hook", "only http and https"),
        ("hooks.example.com/x", "only http and https"),
    ],
)
def test_submit_refuses_callback_urls_that_reach_inside(
    api: httpx.Client, url: str, problem: str
) -> None:
    before = api.get("/v1/tts/jobs").json()["total"]
    response = api.post("/v1/tts/jobs", json={"text": TEXT, "callback_url": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "callback_url_refused"
    assert problem in error["message"] and url in error["message"]
    assert api.get("/v1/tts/jobs").json()["total"] == before


def test_deliveries_survive_a_worker_restart(
    stack: JobStack, api: httpx.Client, receivers: Callable[..., Receiver]
) -> None:
    port = free_port()
    job = submit(api, TEXT, callback_url=f"http://127.0.0.1:{port}/after-restart")
    wait_webhooks(api, job["id"], lambda h: bool(h) and len(h[0]["attempts"]) >= 1)
    # the retry's countdown message dies with the worker that holds it
    stack.kill_worker()
    [pending] = webhooks_of(api, job["id"])
    assert pending["status"] == "pending" and pending["next_attempt_at"] is not None
    receiver = receivers(port=port)
    stack.start_worker()
    [hook] = wait_webhooks(api, job["id"], settled, timeout=90)
    time.sleep(2.5)

    assert hook["status"] == "delivered"
    [received] = receiver.received
    check_signed(received, hook)
