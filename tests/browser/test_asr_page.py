"""The /test page in headless Chromium: hold push-to-talk, the fake microphone plays English
speech, the page shows partials and then the final text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import serve_app
from tests.support.asr_support import SENTENCE, asr_settings, english_speech, write_wav
from voxhub.audio.resample import resample
from voxhub.container import Container
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import EnginePool

pytestmark = [pytest.mark.kokoro, pytest.mark.asyncio(loop_scope="session")]

CHROMIUM = "/usr/bin/chromium"
# the browser's path from microphone to 16 kHz PCM16 (its own resampler, then the page's
# worklet) costs pocketsphinx a little accuracy over a direct stream
MAX_WER = 0.3


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("page"), default="pocketsphinx", preload=["pocketsphinx"]
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


async def test_hold_to_talk_shows_partials_and_the_final_text(
    server: str, engine_pool: EnginePool, tmp_path: Path
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright

    speech = (np.frombuffer(english_speech(engine_pool), dtype="<i2") / 32768).astype(np.float32)
    # Chromium's fake microphone plays this file from the moment the page opens it
    wav = write_wav(
        tmp_path / "microphone.wav",
        (np.clip(resample(speech, 16_000, 48_000), -1, 1) * 32767).astype("<i2").tobytes(),
        rate=48_000,
    )
    seconds = len(speech) / 16_000
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}%noloop",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = await browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.goto(f"{server}/test")
            await page.wait_for_selector("#engine option[value='pocketsphinx']", state="attached")
            await page.select_option("#engine", "pocketsphinx")
            await page.select_option("#language", "en")
            button = page.locator("#ptt")
            await button.hover()
            await page.mouse.down()
            await page.wait_for_function(
                "document.getElementById('state').dataset.state === 'ready'", timeout=20_000
            )
            # a partial appears in grey while the button is still held
            await page.wait_for_function(
                "document.getElementById('partial').textContent.trim().length > 0",
                timeout=seconds * 1000 + 5_000,
            )
            await page.wait_for_timeout(seconds * 1000)
            await page.mouse.up()
            final = page.locator("#transcript .final")
            await final.first.wait_for(timeout=20_000)
            text = await final.first.evaluate("line => line.firstChild.textContent")
            errors = await page.locator("#errors").inner_text()
        finally:
            await browser.close()
    assert not problems, problems
    assert errors.strip() == ""
    assert word_error_rate(SENTENCE, text) <= MAX_WER, text
