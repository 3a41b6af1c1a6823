"""Debian's headless chromium for browser tests: found or the test skips (fails under CI)."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip where Debian's chromium or playwright is missing, but fail under CI."""
    missing = []
    if shutil.which(CHROMIUM) is None:
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


async def launch(playwright: Playwright, *extra: str) -> Browser:
    """Headless chromium with a fake microphone (its beeps, or a file given in `extra`)."""
    return await playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--headless",
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            *extra,
            "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    )
