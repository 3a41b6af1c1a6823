"""The README's shell and Python examples, run as written against a real `voxhub serve` on the
default engines. A block preceded by `<!-- example: skip (why) -->` is not run: it needs an
outside service, starts or stops servers, or takes minutes; the README says so beside it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import free_port

README = Path(__file__).parents[2] / "README.md"
_FENCE = re.compile(
    r"(?:<!-- example: (?P<marker>[^>]*?) -->\n)?^```(?P<lang>bash|python)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
# what the harness puts in front of every shell example: curl fails on an HTTP error (the
# README's `curl -s` would print the error body and exit 0)
_SHELL_PRELUDE = 'curl() { command curl --fail-with-body "$@"; }\n'


@dataclass(frozen=True)
class Example:
    line: int
    lang: str
    body: str
    skip: str | None

    @property
    def name(self) -> str:
        return f"README.md:{self.line}-{self.lang}"


def examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        marker = match.group("marker")
        skip = marker[len("skip") :].strip(" ()") if marker and marker.startswith("skip") else None
        line = text.count("\n", 0, match.start("body"))
        found.append(Example(line, match.group("lang"), match.group("body"), skip))
    return found


@dataclass
class Server:
    url: str
    data_dir: Path
    workdir: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`voxhub serve` as the quick start runs it (kokoro and espeak, whisper on first use),
    on a free port, with the files the examples name in their working directory."""
    root = tmp_path_factory.mktemp("readme")
    data_dir, workdir = root / "data", root / "work"
    workdir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "VOXHUB_DATA_DIR": str(data_dir),
        "VOXHUB_SERVER__PORT": str(port),
        "VOXHUB_URL": f"http://127.0.0.1:{port}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in [name for name in env if name.startswith("VOXHUB_") and "__" in name]:
        if not name.startswith("VOXHUB_SERVER__"):
            env.pop(name)  # the defaults, as a user's fresh install has them
    log = (root / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "voxhub.cli", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, root / "serve.log")
        _example_files(url, workdir)
        yield Server(url, data_dir, workdir, env)
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        log.close()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("voxhub serve did not become healthy:\n" + log.read_text()[-4000:])


def _example_files(url: str, workdir: Path) -> None:
    """chapter.txt, and recordings made by the server itself: talk.wav, meeting.mp3."""
    (workdir / "chapter.txt").write_text(
        "The station was quiet at six in the morning. A train arrived from the north. "
        "People stepped onto the platform and walked into the city.",
        encoding="utf-8",
    )
    spoken = {
        "talk.wav": ("The quick brown fox jumps over the lazy dog.", "wav"),
        "meeting.mp3": ("Good morning everyone. Let us begin the meeting.", "mp3"),
    }
    for name, (text, audio_format) in spoken.items():
        answer = httpx.post(
            f"{url}/v1/tts/stream",
            json={"text": text, "voice": "espeak:en-us", "format": audio_format},
            timeout=120,
        )
        answer.raise_for_status()
        (workdir / name).write_bytes(answer.content)


def _localized(body: str, server: Server) -> str:
    port = server.url.rsplit(":", 1)[1]
    return re.sub(r"(localhost|127\.0\.0\.1):8000", rf"\g<1>:{port}", body)


ALL = examples()


def test_the_readme_has_examples_and_says_why_it_skips_any() -> None:
    assert len([e for e in ALL if e.skip is None]) >= 15, [e.name for e in ALL]
    assert all(e.skip for e in ALL if e.skip is not None), "a skipped example needs a reason"


@pytest.mark.parametrize("example", [e for e in ALL if e.skip is None], ids=lambda e: e.name)
def test_readme_example_runs(example: Example, server: Server) -> None:
    body = _localized(example.body, server)
    if example.lang == "bash":
        command = ["bash", "-e", "-o", "pipefail", "-c", _SHELL_PRELUDE + body]
    else:
        command = [sys.executable, "-c", body]
    result = subprocess.run(
        command,
        cwd=server.workdir,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        f"{example.name} failed ({result.returncode}):\n{body}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


def test_jq_is_there_for_the_examples_that_use_it() -> None:
    if shutil.which("jq") is None:
        message = "README examples use jq (apt-get install jq)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
