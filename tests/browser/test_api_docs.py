"""/docs and /redoc render the operations list in headless Chromium with every other host
unreachable: their scripts, styles and fonts come from voxhub itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings
from tests.support.browser import launch, require_chromium
from voxhub.container import Container
from voxhub.engines.pool import EnginePool

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(tmp_path_factory.mktemp("docs"))
    with serve_app(settings, Container.build(settings, engine_pool)) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        # Swagger UI draws one block per operation
        ("/docs", ".opblock"),
        # ReDoc draws one section per operation
        ("/redoc", "[data-section-id^='tag/'][data-section-id*='/operation/']"),
    ],
)
async def test_api_docs_render_with_the_network_blocked(
    server: str, path: str, operation: str, tmp_path: Path
) -> None:
    require_chromium()
    from playwright.async_api import Route, async_playwright

    elsewhere: list[str] = []

    async def only_voxhub(route: Route) -> None:
        request = route.request
        if request.url.startswith(server):
            await route.continue_()
            return
        # ReDoc's footer links to its maker with a logo from its CDN: a missing picture,
        # not a missing page; scripts, styles, fonts and data must all come from voxhub
        if request.resource_type != "image":
            elsewhere.append(f"{request.resource_type} {request.url}")
        await route.abort()

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.route("**/*", only_voxhub)
            await page.goto(server + path)
            await page.locator(operation).first.wait_for(state="attached", timeout=30_000)
            drawn = await page.locator(operation).count()
            await page.screenshot(path=str(tmp_path / f"{path.strip('/')}.png"), full_page=False)
        finally:
            await browser.close()
    assert not elsewhere, f"{path} asked other hosts: {elsewhere}"
    assert not problems, problems
    # voxhub has dozens of operations; a page that drew a handful did not render the document
    assert drawn >= 40, drawn
