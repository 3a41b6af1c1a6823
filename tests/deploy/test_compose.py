"""compose.yaml and .env.example, checked without a Docker engine: the profiles hold the
services they promise, every voxhub command is one the CLI has (with options it accepts),
every VOXHUB_ name is a real setting, long-running services have healthchecks, start order
waits for health, and stopping leaves room for the shutdown contract."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.core import TyperGroup

from tests.deploy.settings_names import PREFIX, setting_names
from voxhub.cli.main import app
from voxhub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def _voxhub(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the voxhub image."""
    return {
        name: service
        for name, service in _services(compose).items()
        if str(service.get("image", "")).startswith("voxhub:")
    }


def _one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def _env_names(text: str) -> list[str]:
    """VOXHUB_ names assigned in `text` (commented-out examples too)."""
    return re.findall(r"^\s*#?\s*(VOXHUB_[A-Z0-9_]+)=", text, flags=re.M)


def test_the_profiles_hold_the_promised_services(compose: dict[str, Any]) -> None:
    profiles: dict[str, set[str]] = {}
    for name, service in _services(compose).items():
        for profile in service["profiles"]:
            profiles.setdefault(profile, set()).add(name)
    assert profiles["single"] == {"voxhub"}
    cluster = profiles["cluster"]
    assert {"nginx", "redis", "postgres", "minio", "migrate"} <= cluster
    voxhub = _voxhub(compose)
    commands = {name: voxhub[name]["command"] for name in cluster & voxhub.keys()}
    assert (
        sorted(c for c in commands.values() if c[0] == "serve") == [["serve", "--no-workers"]] * 2
    )
    assert sum(c[0] == "worker" for c in commands.values()) == 2
    assert [c for c in commands.values() if c[0] == "migrate"] == [["migrate"]]
    # the single container keeps its data directory on a volume
    single = voxhub["voxhub"]
    assert any(v.endswith(":/var/lib/voxhub") for v in single["volumes"])


def test_every_command_is_one_the_cli_accepts(compose: dict[str, Any]) -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    root = typer.Context(group)
    for name, service in _voxhub(compose).items():
        command, *args = service["command"]
        found = group.get_command(root, command)
        assert found is not None, f"{name}: voxhub has no command {command!r}"
        # parsing refuses an unknown option or a bad value, as the container would
        found.make_context(command, list(args), parent=root)


def test_every_voxhub_name_is_a_setting(compose: dict[str, Any]) -> None:
    known = setting_names()
    used = set(_env_names(ENV_EXAMPLE.read_text()))
    for service in _voxhub(compose).values():
        used |= {key for key in service.get("environment", {}) if key.startswith(PREFIX)}
    assert used, "no VOXHUB_ names found"
    unknown = sorted(used - known)
    assert not unknown, f"not settings of voxhub: {unknown}"


def test_the_env_example_parses_into_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its values are valid too: Settings accepts them as the containers would read them."""
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith(PREFIX):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key, shlex.split(value)[0] if value else "")
    settings = Settings()
    assert settings.auth.mode == "keys"
    assert settings.engines.enabled == ["kokoro", "espeak"]


def test_long_running_services_have_healthchecks_and_start_on_health(
    compose: dict[str, Any],
) -> None:
    services = _services(compose)
    for name, service in services.items():
        if _one_shot(service):
            continue
        check = service.get("healthcheck")
        assert check and check["test"] and not check.get("disable"), f"{name} has no healthcheck"
        for needed, condition in service.get("depends_on", {}).items():
            wanted = (
                "service_completed_successfully"
                if _one_shot(services[needed])
                else "service_healthy"
            )
            assert condition["condition"] == wanted, (name, needed)
    # nothing touches the database before the migration has run
    for name, service in _voxhub(compose).items():
        if "cluster" in service["profiles"] and name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_stopping_leaves_room_for_the_shutdown_contract(compose: dict[str, Any]) -> None:
    timeout = Settings.model_fields["shutdown_timeout"].default
    for name, service in _voxhub(compose).items():
        assert service["stop_signal"] == "SIGTERM", name
        grace = int(service["stop_grace_period"].removesuffix("s"))
        assert timeout < grace <= timeout + 10, name


def test_nginx_serves_the_tested_configuration(compose: dict[str, Any]) -> None:
    nginx = _services(compose)["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    upstreams = re.findall(
        r"^\s*server (api-\d+):8000", (ROOT / "deploy/nginx.conf").read_text(), re.M
    )
    assert sorted(upstreams) == sorted(n for n in _voxhub(compose) if n.startswith("api-"))
