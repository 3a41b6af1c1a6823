"""The /test page in headless Chromium: hold push-to-talk, the fake microphone plays English
speech, the page shows partials and then the final text; with API keys on, the page streams
with a token minted from the key it is given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tests.conftest import serve_app
from tests.support.asr_support import SENTENCE, asr_settings, english_speech, write_wav
from tests.support.browser import launch, require_chromium
from voxhub.audio.resample import resample
from voxhub.container import Container
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import EnginePool
from voxhub.services.auth.keys import KeySpec
from voxhub.settings import AuthSettings

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.asyncio(loop_scope="session")

# the browser's path from microphone to 16 kHz PCM16 (its own resampler, then the page's
# worklet) costs pocketsphinx a little accuracy over a direct stream
MAX_WER = 0.3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(
        tmp_path_factory.mktemp("page"), default="pocketsphinx", preload=["pocketsphinx"]
    )
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_server(
    tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool
) -> Iterator[tuple[str, str]]:
    """A server with API keys on (the fake recognition engine) and a key with the asr scope."""
    settings = asr_settings(tmp_path_factory.mktemp("keyed")).model_copy(
        update={"auth": AuthSettings(mode="keys")}
    )
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        _, key = container.gate.keys.create(KeySpec(name="page", scopes=("asr",)))
        yield url, key


@pytest.mark.kokoro
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
        browser = await launch(playwright, f"--use-file-for-fake-audio-capture={wav}%noloop")
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


async def errors_say(page: Page, text: str) -> None:
    await page.wait_for_function(
        "text => document.getElementById('errors').textContent.includes(text)",
        arg=text,
        timeout=20_000,
    )


async def enter_key(page: Page, key: str) -> None:
    await page.fill("#api-key", key)
    await page.locator("#api-key").dispatch_event("change")


async def test_with_keys_on_the_page_streams_with_a_token_from_the_key_it_is_given(
    keyed_server: tuple[str, str],
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright

    url, key = keyed_server
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            sockets: list[str] = []
            page.on("websocket", lambda socket: sockets.append(socket.url))
            await page.goto(f"{url}/test")
            button = page.locator("#ptt")
            # no key: the engines cannot be listed, and the stream is refused with 1008
            await errors_say(page, "could not list engines: This server needs an API key")
            await button.hover()
            await page.mouse.down()
            await errors_say(page, "this server needs an API key: enter one above (1008)")
            await page.mouse.up()
            # a wrong key: no token is minted, so no connection is tried
            await enter_key(page, "vxk_wrong")
            await button.hover()
            await page.mouse.down()
            await errors_say(page, "the API key was refused: The API key is not a voxhub key")
            await page.mouse.up()
            assert len(sockets) == 1
            # the key: engines listed, the stream opens with a token, the key stays out of URLs
            await enter_key(page, key)
            await page.wait_for_selector("#engine option[value='fake']", state="attached")
            await button.hover()
            await page.mouse.down()
            await page.wait_for_function(
                "document.getElementById('state').dataset.state === 'ready'", timeout=20_000
            )
            await page.mouse.up()
            stored = await page.evaluate("sessionStorage.getItem('voxhub.apiKey')")
            kept = await page.evaluate("localStorage.length")
        finally:
            await browser.close()
    assert not problems, problems
    assert stored == key and kept == 0
    assert len(sockets) == 2 and "?token=vxt_" in sockets[-1]
    assert all(key not in seen for seen in [*sockets, page.url])
