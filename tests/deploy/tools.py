"""The real tools the deployment checks run: skipped where missing, a failure under CI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def require_tool(name: str, install: str) -> str:
    """The path of `name` (the venv's bin first, then PATH)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which(name)
    if found:
        return found
    message = f"this check needs {name} ({install})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
