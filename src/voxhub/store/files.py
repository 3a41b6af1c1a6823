"""Synthesized audio kept as files under the data directory, named by result id."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from voxhub.errors import NotFound

_ID = re.compile(r"^[0-9a-f]{32}$")
_EXTENSION = re.compile(r"^[a-z0-9]{2,5}$")


class ResultFiles:
    """A directory of `{id}.{extension}` files; ids are uuid4 hex, so names never collide."""

    def __init__(self, root: Path) -> None:
        self._root = root

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def save(self, result_id: str, extension: str, data: bytes) -> Path:
        """Write atomically: readers never see a half-written file."""
        path = self._path(result_id, extension)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)
        return path

    def find(self, result_id: str, extension: str) -> Path:
        if not (_ID.match(result_id) and _EXTENSION.match(extension)):
            raise NotFound(f"No audio {result_id}.{extension}; ids come from POST /v1/tts.")
        path = self._path(result_id, extension)
        if not path.is_file():
            raise NotFound(
                f"No audio {result_id}.{extension}; it may have expired or the id is wrong."
            )
        return path

    def _path(self, result_id: str, extension: str) -> Path:
        # two-level fan-out keeps directories small on busy servers
        return self._root / result_id[:2] / f"{result_id}.{extension}"
