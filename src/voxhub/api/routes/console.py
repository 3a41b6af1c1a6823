"""The web console's page: what `/` answers a browser, chosen by the request's Accept header."""

from __future__ import annotations

from importlib import resources

from fastapi.responses import HTMLResponse

HTML = "text/html"
JSON = "application/json"
# every answer of `/` depends on Accept: caches must keep the page and the JSON apart
VARY = {"Vary": "Accept"}


def prefers_html(accept: str | None) -> bool:
    """Whether `accept` ranks text/html strictly above JSON, as a browser's navigation does
    (`text/html,…,*/*;q=0.8`); `*/*`, JSON, a tie or no header at all keep JSON."""
    if not accept:
        return False
    ranges = [_parse(part) for part in accept.split(",") if part.strip()]
    return _quality(HTML, ranges) > _quality(JSON, ranges)


def console_page() -> HTMLResponse:
    """The console's HTML; its modules, styles and string tables are served from /static."""
    page = resources.files("voxhub").joinpath("static/console/index.html")
    return HTMLResponse(
        page.read_text(encoding="utf-8"), headers={"Cache-Control": "no-cache", **VARY}
    )


def _parse(part: str) -> tuple[str, float]:
    media, *params = (piece.strip() for piece in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = max(0.0, min(1.0, float(value)))
            except ValueError:
                quality = 0.0
    return media.lower(), quality


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching `media` (type/sub, then type/*, then */*)."""
    kind = media.split("/", 1)[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        found = [q for name, q in ranges if name == candidate]
        if found:
            return max(found)
    return 0.0
