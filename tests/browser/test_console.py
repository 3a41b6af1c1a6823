"""The web console at / in headless Chromium against a real server and worker: speak and
follow the words, a job's progress to 100 % and its result, a template from an upload, a
file transcribed, Chinese labels, and the fake microphone's final on the Listen tab, both
with hotwords. Each test leaves a screenshot in its temporary directory."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import httpx
import numpy as np
import pytest

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, pcm16, write_wav
from tests.support.browser import launch, require_chromium
from tests.support.jobstack import running_stack
from tests.support.remote_server import RemoteServer
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.access import KeyLimits
from voxhub.api.routes.console import prefers_html
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.services.auth.keys import KeySpec
from voxhub.settings import AuthSettings, EngineSettings, RemoteEngineSettings

if TYPE_CHECKING:
    from playwright.async_api import Page, WebSocket

pytestmark = pytest.mark.asyncio(loop_scope="session")

SENTENCE = "The quick brown fox jumps over the lazy dog. Then it runs far away into the woods."
# what a browser's navigation sends
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API and a worker (espeak), the remote engine for templates, the fake recognizer."""
    with RemoteServer().running() as remote:
        env = {
            "VOXHUB_ENGINES__ENABLED": '["espeak","remote"]',
            "VOXHUB_ENGINES__REMOTE__BASE_URL": remote.url,
            "VOXHUB_ENGINES__REMOTE__TOKEN": remote.token,
            "VOXHUB_ENGINES__REMOTE__MODEL": "voxhub/cloner",
            "VOXHUB_ENGINES__REMOTE__LANGUAGES": '["en","zh"]',
            "VOXHUB_ASR__DEFAULT": "fake",
            "VOXHUB_ASR__ENABLED": '["fake"]',
            "VOXHUB_JOBS__CHUNK_CHARS": "120",
        }
        data_dir = tmp_path_factory.mktemp("console")
        with running_stack("console", data_dir, extra_env=env) as stack:
            yield stack.url


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A server with API keys on, a key and one allowed 3 requests a minute: espeak, the
    remote engine for templates, and no worker, so jobs stay queued."""
    with RemoteServer().running() as remote:
        engines = EngineSettings(
            default="espeak",
            preload=["espeak"],
            enabled=["espeak", "remote"],
            remote=RemoteEngineSettings(
                base_url=remote.url, token=remote.token, model="voxhub/cloner", languages=["en"]
            ),
        )
        settings = asr_settings(tmp_path_factory.mktemp("keyed")).model_copy(
            update={"auth": AuthSettings(mode="keys"), "engines": engines}
        )
        container = Container.build(settings)
        with serve_app(settings, container) as url:
            _, key = container.gate.keys.create(KeySpec(name="console"))
            _, frugal = container.gate.keys.create(
                KeySpec(name="frugal", limits=KeyLimits(requests_per_minute=3))
            )
            yield url, key, frugal


@pytest.fixture(scope="module")
def tone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loud tone at 48 kHz: the fake recognizer hears one word per 100 ms of it."""
    t = np.arange(48_000 * 2, dtype=np.float32) / 48_000
    samples = 0.3 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    return write_wav(tmp_path_factory.mktemp("tone") / "tone.wav", pcm16(samples), rate=48_000)


@asynccontextmanager
async def console(
    server: str,
    tmp_path: Path,
    tone: Path,
    locale: str = "en-US",
    shot: str = "console",
    expect_errors: bool = False,
) -> AsyncIterator[Page]:
    """The console opened at / (as a browser asks for it); a screenshot is kept at the end,
    no page error may have happened, nor (unless expected) an error notice."""
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright, f"--use-file-for-fake-audio-capture={tone}")
        try:
            context = await browser.new_context(locale=locale, accept_downloads=True)
            page = await context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            response = await page.goto(f"{server}/")
            assert response is not None
            assert response.headers["content-type"].startswith("text/html")
            if not expect_errors:
                await page.wait_for_selector(
                    "#speak-voice option[value='espeak:en-us']", state="attached"
                )
            try:
                yield page
            finally:
                await page.screenshot(path=str(tmp_path / f"{shot}.png"), full_page=True)
                notices = await page.locator("#notices .error").all_inner_texts()
        finally:
            await browser.close()
    assert not problems, problems
    assert expect_errors or not notices, notices


async def current_word(page: Page) -> int:
    value = await page.locator("#speak-media .subtitles").get_attribute("data-current")
    return int(value or -1)


async def test_speak_plays_the_audio_and_the_highlighted_word_advances(
    server: str, tmp_path: Path, tone_file: Path
) -> None:
    async with console(server, tmp_path, tone_file) as page:
        await page.fill("#speak-text", SENTENCE)
        count = await page.locator("#speak-count").inner_text()
        await page.select_option("#speak-voice", "espeak:en-us")
        await page.click("#speak-go")
        await page.wait_for_function(
            "document.querySelector('#speak-media audio').duration > 1", timeout=20_000
        )
        await page.wait_for_function(
            "document.getElementById('speak-state').dataset.state !== 'synthesizing'"
        )
        # the streamed playback moves the highlight before the player is touched
        await page.wait_for_function(
            "document.querySelector('#speak-media .subtitles').dataset.current >= 1",
            timeout=10_000,
        )
        live = await page.evaluate("document.querySelector('#speak-media audio').paused")
        words = await page.locator("#speak-media .subtitles .unit").all_inner_texts()
        ttfa = await page.locator("#speak-ttfa").inner_text()
        rtf = await page.locator("#speak-rtf").inner_text()
        # the player takes over from the streamed playback, from the start
        await page.evaluate(
            "() => { const a = document.querySelector('#speak-media audio');"
            " a.currentTime = 0; return a.play(); }"
        )
        await page.wait_for_function(
            "document.querySelector('#speak-media .subtitles').dataset.current >= 1",
            timeout=10_000,
        )
        first = await current_word(page)
        await page.wait_for_function(
            "n => Number(document.querySelector('#speak-media .subtitles').dataset.current) > n",
            arg=first,
            timeout=10_000,
        )
        later = await current_word(page)
        played = await page.evaluate("document.querySelector('#speak-media audio').currentTime")
        downloads = await page.locator("#speak-media .downloads button").all_inner_texts()
    assert count == f"{len(SENTENCE)} / 300 characters"
    assert len(words) >= 15 and "quick" in words, words
    assert ttfa.endswith(" ms") and rtf != "–", (ttfa, rtf)
    assert live is True and later > first >= 1 and played > 0
    assert [d.split()[-1] for d in downloads] == ["WAV", "SRT", "VTT", "JSON"]


async def test_a_job_runs_to_100_percent_and_its_result_plays(
    server: str, tmp_path: Path, tone_file: Path
) -> None:
    text = " ".join([SENTENCE] * 5)
    chapter = tmp_path / "chapter.txt"
    chapter.write_text(text, encoding="utf-8")
    async with console(server, tmp_path, tone_file) as page:
        await page.click("#tab-jobs")
        await page.set_input_files("#job-file", str(chapter))
        await page.wait_for_function(
            "n => document.getElementById('job-text').value.length === n", arg=len(text)
        )
        await page.select_option("#job-voice", "espeak:en-us")
        await page.click("#job-submit")
        item = page.locator("#job-list li.job").first
        await item.wait_for()
        job_id = await item.get_attribute("data-id")
        row = page.locator(f"#job-list li[data-id='{job_id}']")
        await row.locator("progress[value='100']").wait_for(timeout=60_000)
        await page.wait_for_function(
            "id => document.querySelector(`#job-list li[data-id='${id}']`).dataset.status"
            " === 'succeeded'",
            arg=job_id,
            timeout=20_000,
        )
        line = await row.locator(".job-progress").inner_text()
        # a job another client submits appears, runs and ends without a reload
        async with httpx.AsyncClient(base_url=server) as http:
            other = (await http.post("/v1/tts/jobs", json={"text": SENTENCE})).json()
        await page.locator(
            f"#job-list li[data-id='{other['id']}'][data-status='succeeded']"
        ).wait_for(timeout=30_000)
        await row.locator("button[data-action='play']").click()
        await page.wait_for_function(
            "document.querySelector('#job-media audio').currentTime > 0.3", timeout=20_000
        )
        duration = await page.evaluate("document.querySelector('#job-media audio').duration")
        units = await page.locator("#job-media .subtitles .unit").count()
        current = await page.locator("#job-media .subtitles").get_attribute("data-current")
    assert line.startswith("100.0 %"), line
    assert duration > 10 and units > 50
    assert current is not None and int(current) >= 0


async def test_a_template_registered_from_an_uploaded_file_is_listed(
    server: str, tmp_path: Path, tone_file: Path, engine_pool: EnginePool
) -> None:
    reference = tmp_path / "reader.wav"
    reference.write_bytes(reference_wav(engine_pool))
    async with console(server, tmp_path, tone_file) as page:
        await page.click("#tab-voices")
        form = page.locator("#voice-form")
        await form.locator("[name=name]").fill("Reader")
        await form.locator("[name=aliases]").fill("tpl_1001, reader")
        await form.locator("[name=transcript]").fill(TRANSCRIPT)
        await page.set_input_files("#voice-file", str(reference))
        await form.locator("button[type=submit]").click()
        row = page.locator("#voice-table tbody tr", has_text="Reader")
        await row.wait_for(timeout=20_000)
        cells = await row.locator("td").all_inner_texts()
        # the new voice is offered by the Speak tab's picker too
        offered = await page.locator("#speak-voice option", has_text="Reader").count()
        # its aliases and default speed change
        await row.locator("button[data-action='edit']").click()
        await form.locator("[name=aliases]").fill("tpl_1002")
        await form.locator("[name=speed]").fill("1.2")
        await page.click("#voice-submit")
        await page.locator("#voice-table tbody tr", has_text="tpl_1002").wait_for()
        # another from the microphone (its tone), recorded in the page
        await form.locator("[name=name]").fill("Recorded")
        await form.locator("[name=transcript]").fill("A steady tone.")
        await page.click("#voice-record")
        await page.wait_for_timeout(1500)
        await page.click("#voice-record")
        await page.locator("#voice-recording").wait_for()
        recorded = await page.locator("#voice-recorded").inner_text()
        await page.click("#voice-submit")
        await page.locator("#voice-table tbody tr", has_text="Recorded").wait_for()
        async with httpx.AsyncClient(base_url=server) as http:
            listed = (await http.get("/v1/voices", params={"engine": "remote"})).json()
    assert cells[1:5] == ["Reader", "remote", "en", "cloning template"]
    assert sorted(cells[5].split(", ")) == ["reader", "tpl_1001"]
    assert offered == 1
    [saved] = [voice for voice in listed["voices"] if voice["name"] == "Reader"]
    assert saved["aliases"] == ["tpl_1002"] and saved["defaults"]["speed"] == 1.2
    [taken] = [voice for voice in listed["voices"] if voice["name"] == "Recorded"]
    seconds = float(recorded.split()[1])
    assert seconds >= 1.0 and taken["cloning"] is True
    assert taken["reference"]["sample_rate"] == 24_000
    assert abs(taken["reference"]["duration"] - seconds) < 0.2


async def test_a_file_is_transcribed_and_its_subtitles_download(
    server: str, tmp_path: Path, tone_file: Path
) -> None:
    async with console(server, tmp_path, tone_file) as page:
        await page.click("#tab-listen")
        await page.wait_for_selector("#file-engine option[value='fake']", state="attached")
        await page.set_input_files("#file-audio", str(tone_file))
        await page.fill("#file-hotwords", "Kubernetes, 司马懿")
        async with page.expect_response("**/v1/asr/transcriptions") as answered:
            await page.click("#file-go")
        response = await answered.value
        answer = await response.json()
        await page.locator("#file-downloads button[data-kind='srt']").wait_for(timeout=20_000)
        text = await page.locator("#file-result .file-text").inner_text()
        applied = await page.locator("#file-state").inner_text()
        async with page.expect_download() as pending:
            await page.click("#file-downloads button[data-kind='srt']")
        download = await pending.value
        # the browser deletes its downloads when it closes
        srt = await anyio.Path(await download.path()).read_text(encoding="utf-8")
        # the fake engine takes hotwords; an engine that ignores them (pocketsphinx) gives the
        # same answer saying so (made here from the real one: the browser's interception
        # drops the uploaded file from a request it passes on)
        ignoring = {**answer, "hotwords_applied": False}
        await page.route("**/v1/asr/transcriptions", lambda route: route.fulfill(json=ignoring))
        await page.click("#file-go")
        note = page.locator("#file-state", has_text="hotwords ignored")
        await note.wait_for(timeout=20_000)
        ignored = await note.inner_text()
    # the field reached the server, which primed the engine with it
    assert response.headers["x-voxhub-hotwords"] == "applied"
    assert answer["hotwords_applied"] is True
    assert "hotwords" not in applied and ignored.endswith(
        " · hotwords ignored: this engine does not use them"
    ), (applied, ignored)
    assert text.split() == [f"w{i}" for i in range(1, 21)], text
    assert download.suggested_filename == "tone.srt"
    assert srt.startswith("1\n00:00:00,") and "w1 w2" in srt


async def test_chinese_labels_by_switch_and_by_the_browsers_language(
    server: str, tmp_path: Path, tone_file: Path
) -> None:
    async with console(server, tmp_path, tone_file) as page:
        before = await page.locator("#tab-speak").inner_text()
        await page.select_option("#ui-language", "zh")
        tabs = await page.locator("[role=tab]").all_inner_texts()
        speak = await page.locator("#speak-go").inner_text()
        placeholder = await page.locator("#api-key").get_attribute("placeholder")
        lang = await page.evaluate("document.documentElement.lang")
        hotwords = await page.locator("label:has(#file-hotwords) span").inner_text()
        await page.click("#tab-status")
        await page.locator("#status-deps td.good").first.wait_for(timeout=10_000)
        status = await page.locator("#status-deps").inner_text()
    assert before == "Speak"
    assert tabs == ["合成", "长文本任务", "音色", "识别", "状态"]
    assert (speak, placeholder, lang) == ("合成", "服务器需要时填写", "zh-CN")
    assert hotwords == "热词"
    assert "数据库" in status and "正常" in status
    # a Chinese browser opens the console in Chinese
    async with console(server, tmp_path, tone_file, locale="zh-CN", shot="zh-CN") as page:
        assert await page.locator("#tab-jobs").inner_text() == "长文本任务"


async def test_the_fake_microphone_on_the_listen_tab_gives_a_final(
    server: str, tmp_path: Path, tone_file: Path
) -> None:
    sent: list[str | bytes] = []
    received: list[str | bytes] = []

    def follow(socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: sent.append(frame))
        socket.on("framereceived", lambda frame: received.append(frame))

    async with console(server, tmp_path, tone_file) as page:
        page.on("websocket", follow)
        await page.click("#tab-listen")
        await page.wait_for_selector("#listen-engine option[value='fake']", state="attached")
        # commas, a Chinese comma, 、 and blanks between the words
        await page.fill("#listen-hotwords", " Kubernetes，司马懿 、, Siobhan Nguyen ,")
        await page.locator("#listen-ptt").hover()
        await page.mouse.down()
        await page.wait_for_function(
            "document.getElementById('listen-state').dataset.state === 'ready'", timeout=20_000
        )
        await page.wait_for_function(
            "document.getElementById('listen-partial').textContent.split(' ').length >= 3",
            timeout=10_000,
        )
        await page.mouse.up()
        final = page.locator("#listen-transcript .final").first
        await final.wait_for(timeout=20_000)
        text = await final.evaluate("line => line.firstChild.textContent")
    assert text.split()[:3] == ["w1", "w2", "w3"], text
    [start] = [json.loads(f) for f in sent if isinstance(f, str) and '"start"' in f]
    [ready] = [json.loads(f) for f in received if isinstance(f, str) and '"ready"' in f]
    assert start["hotwords"] == ["Kubernetes", "司马懿", "Siobhan Nguyen"], start
    # the server took them: an engine with hotwords was started with some
    assert ready["hotwords"] is True, ready


async def test_with_keys_on_the_console_uses_the_key_it_is_given_and_tokens_for_links(
    keyed_server: tuple[str, str, str], tmp_path: Path, tone_file: Path, engine_pool: EnginePool
) -> None:
    url, key, _ = keyed_server
    reference = tmp_path / "narrator.wav"
    reference.write_bytes(reference_wav(engine_pool))
    seen: list[str] = []
    async with console(url, tmp_path, tone_file, expect_errors=True) as page:
        page.on("request", lambda request: seen.append(request.url))
        # without a key the API refuses, and the console says what to do
        await page.locator("#notices .error", has_text="needs an API key").first.wait_for()
        await page.evaluate("document.getElementById('notices').replaceChildren()")
        await page.fill("#api-key", key)
        await page.locator("#api-key").dispatch_event("change")
        await page.wait_for_selector("#speak-voice option[value='espeak:en-us']", state="attached")
        await page.fill("#speak-text", "Hello there.")
        await page.click("#speak-go")
        await page.wait_for_function(
            "document.querySelector('#speak-media audio').duration > 0", timeout=20_000
        )
        await page.click("#tab-jobs")
        await page.fill("#job-text", SENTENCE)
        await page.click("#job-submit")
        await page.locator("#job-list li.job[data-status='queued']").wait_for()
        # a voice a queued job uses cannot be deleted: the console says why
        await page.click("#tab-voices")
        await page.fill("#voice-form [name=name]", "Narrator")
        await page.fill("#voice-form [name=transcript]", TRANSCRIPT)
        await page.set_input_files("#voice-file", str(reference))
        await page.click("#voice-submit")
        narrator = page.locator("#voice-table tbody tr", has_text="Narrator")
        voice_id = await narrator.get_attribute("data-id", timeout=10_000)
        await page.click("#tab-jobs")
        await page.select_option("#job-voice", voice_id)
        await page.click("#job-submit")
        await page.locator("#job-list li.job[data-status='queued']").nth(1).wait_for()
        await page.click("#tab-voices")
        page.once("dialog", lambda dialog: dialog.accept())
        await narrator.locator("button.danger").click()
        refusal = page.locator("#notices .error", has_text="Queued or running jobs use")
        await refusal.wait_for()
        refused = await refusal.inner_text()
        stored = await page.evaluate("localStorage.getItem('voxhub.console.apiKey')")
        errors = await page.locator("#notices .error").all_inner_texts()
    assert stored == key
    assert errors == [refused], errors
    assert f"Voice {voice_id!r} is used by 1 queued or running job" in refused
    # the event stream carries a token minted with the key; the key is in no URL
    assert any("/v1/events?token=vxt_" in seen_url for seen_url in seen), seen
    assert all(key not in seen_url for seen_url in seen)


async def test_a_refusal_for_too_many_requests_says_when_to_try_again(
    keyed_server: tuple[str, str, str], tmp_path: Path, tone_file: Path
) -> None:
    url, _, frugal = keyed_server
    async with console(url, tmp_path, tone_file, expect_errors=True) as page:
        await page.fill("#api-key", frugal)
        await page.locator("#api-key").dispatch_event("change")
        # loading the tabs again with this key takes more than its 3 requests a minute, and
        # the status tab asks for the figures every 2 s on top, however the tabs' loads race
        await page.click("#tab-status")
        # an HTTP refusal carries Retry-After, and the page says when: in a notice, or in the
        # status tab's own table when its figures were the request refused
        refusal = page.get_by_text(re.compile(r"Too many requests: try again in \d+ s\."))
        await refusal.first.wait_for()
        said = await refusal.first.inner_text()
    assert int(re.findall(r"in (\d+) s", said)[0]) <= 60, said


async def test_slash_gives_browsers_the_console_and_every_other_client_json(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        page = await http.get("/", headers={"Accept": BROWSER_ACCEPT})
        others = [
            await http.get("/", headers=headers)
            for headers in ({"Accept": "*/*"}, {"Accept": "application/json"}, {})
        ]
        script = await http.get("/static/console/app.js")
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/console/app.js">' in page.text
    assert page.headers["vary"] == "Accept"
    for response in others:
        assert response.headers["content-type"] == "application/json"
        assert response.headers["vary"] == "Accept"
        assert json.loads(response.text)["endpoints"]["websocket"] == "/ws/asr"
    assert script.status_code == 200


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("text/*;q=0.9, application/json;q=0.5", True),
        ("text/html;q=0.5, application/json", False),
        ("text/html, application/json", False),
        ("*/*", False),
        ("application/json", False),
        ("text/html;q=0, */*", False),
        (None, False),
        ("", False),
    ],
)
async def test_html_is_chosen_only_when_accept_prefers_it(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html
