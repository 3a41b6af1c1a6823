"""The package keeps its shape: small modules, tests mirroring it, imports pointing one way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import voxhub

PACKAGE = Path(voxhub.__file__).parent
TESTS = Path(__file__).parent
LONGEST_MODULE = 400


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE
    }
    assert not long, f"split these modules (over {LONGEST_MODULE} lines): {long}"


def test_unit_test_folders_mirror_the_package() -> None:
    folders = [p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    strays = [
        str(p.relative_to(TESTS)) for p in folders if not (PACKAGE / p.relative_to(TESTS)).is_dir()
    ]
    assert not strays, f"unit test folders with no package of that name: {strays}"


def test_the_import_contracts_catch_an_upward_import(tmp_path: Path) -> None:
    """An engine importing the API breaks the layer contract (checked on a copy)."""
    root = PACKAGE.parent.parent
    config = root / "pyproject.toml"
    if not config.exists():
        pytest.skip("an installed wheel: the contracts live in the source tree only")
    copy = tmp_path / "src" / "voxhub"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "engines" / "upward.py").write_text('"""x"""\n\nimport voxhub.api.app\n')
    (tmp_path / "pyproject.toml").write_text(config.read_text(encoding="utf-8"))
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache", "--config", str(tmp_path / "pyproject.toml")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": str(lint.parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "voxhub.engines.upward -> voxhub.api.app" in result.stdout
