"""Synthesized audio of online requests, kept in the object store under its result id."""

from __future__ import annotations

import hashlib
import re
import uuid

from voxhub.access import Access
from voxhub.audio.formats import parse_format
from voxhub.errors import NotFound, ObjectNotFound
from voxhub.objects.base import Download, ObjectStore, locate

# uuid4 hex, then the owner's tag when a tenant's key made it
_ID = re.compile(r"^[0-9a-f]{32}(?:-[0-9a-f]{8})?$")
_EXTENSION = re.compile(r"^[a-z0-9]{2,5}$")


class ResultFiles:
    """Objects `tts/{id[:2]}/{id}.{extension}`; ids are uuid4 hex, so keys never collide.

    In one shared store (S3), any API process can hand out what another one synthesized.
    An id made for a tenant ends with a tag of the tenant's name, so another tenant's key
    is told the result does not exist even with its URL in hand.
    """

    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    @staticmethod
    def new_id(owner: str | None = None) -> str:
        fresh = uuid.uuid4().hex
        return fresh if owner is None else f"{fresh}-{_tag(owner)}"

    def save(self, result_id: str, extension: str, data: bytes) -> None:
        """Write atomically: readers never see a half-written object."""
        media_type = parse_format(extension).media_type(None)
        self._store.put_bytes(self._key(result_id, extension), data, media_type)

    def find(self, result_id: str, extension: str, access: Access) -> Download:
        """A presigned URL (S3) or the local file (local storage) of a result."""
        key = self._checked_key(result_id, extension)
        if not access.admin and _owner_tag(result_id) != _tag(access.tenant):
            raise _missing(result_id, extension)
        try:
            return locate(self._store, key)
        except ObjectNotFound as exc:
            raise _missing(result_id, extension) from exc

    def _checked_key(self, result_id: str, extension: str) -> str:
        if not (_ID.match(result_id) and _EXTENSION.match(extension)):
            raise NotFound(f"No audio {result_id}.{extension}; ids come from POST /v1/tts.")
        return self._key(result_id, extension)

    def _key(self, result_id: str, extension: str) -> str:
        # two-level fan-out keeps directories small on busy servers
        return f"tts/{result_id[:2]}/{result_id}.{extension}"


def _tag(owner: str | None) -> str | None:
    return None if owner is None else hashlib.sha256(owner.encode()).hexdigest()[:8]


def _owner_tag(result_id: str) -> str | None:
    _, dash, tag = result_id.partition("-")
    return tag if dash else None


def _missing(result_id: str, extension: str) -> NotFound:
    return NotFound(f"No audio {result_id}.{extension}; it may have expired or the id is wrong.")
