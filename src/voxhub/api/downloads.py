"""Stored files as responses: a redirect to a presigned URL, or the file itself."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import FileResponse, RedirectResponse

from voxhub.objects.base import Download


def download_response(found: Download, media_type: str, filename: str | None = None) -> Response:
    """307 to the object store when it can serve the client itself, else the local file."""
    if found.url is not None:
        # 307 keeps the method; the link expires, so nobody should cache the redirect
        return RedirectResponse(found.url, 307, headers={"Cache-Control": "no-store"})
    assert found.path is not None
    return FileResponse(found.path, media_type=media_type, filename=filename)
