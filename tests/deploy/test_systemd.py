"""The systemd units: `systemd-analyze verify` accepts them (with ExecStart pointing at this
venv's voxhub), they are hardened, and stopping leaves room for the shutdown contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.cluster import ROOT
from tests.deploy.tools import require_tool
from voxhub.settings import Settings

UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/voxhub/venv/bin/voxhub"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ReadWritePaths": "/var/lib/voxhub",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "User": "voxhub",
}


def _options(unit: Path) -> dict[str, str]:
    options: dict[str, str] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            options.setdefault(key, value)
    return options


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze", "apt-get install systemd")
    voxhub = Path(sys.executable).parent / "voxhub"
    for unit in UNITS.glob("*.service"):
        text = unit.read_text()
        assert INSTALLED in text, unit.name
        # verify wants the command to exist: this venv's voxhub stands in for the installed one
        (tmp_path / unit.name).write_text(text.replace(INSTALLED, str(voxhub)))
    (tmp_path / "voxhub-worker@1.service").symlink_to(tmp_path / "voxhub-worker@.service")
    result = subprocess.run(
        [analyze, "verify", "--man=no", "voxhub-api.service", "voxhub-worker@1.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # a warning (an unknown key, a key in the wrong section) is a failure too
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("name", ["voxhub-api.service", "voxhub-worker@.service"])
def test_the_units_are_hardened_and_stop_within_the_contract(name: str) -> None:
    options = _options(UNITS / name)
    assert {key: options.get(key) for key in HARDENING} == HARDENING
    assert options["Restart"] == "on-failure"
    assert options["KillSignal"] == "SIGTERM"
    timeout = Settings.model_fields["shutdown_timeout"].default
    assert timeout < int(options["TimeoutStopSec"]) <= timeout + 10
