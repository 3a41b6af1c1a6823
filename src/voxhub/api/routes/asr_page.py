"""GET /test: the browser page that tries real-time recognition with the microphone."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["speech recognition"])


@router.get("/test", response_class=HTMLResponse, summary="Real-time recognition test page")
async def test_page() -> HTMLResponse:
    # its script and audio worklet are served from /static
    page = resources.files("voxhub").joinpath("static/asr-test.html").read_text(encoding="utf-8")
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
