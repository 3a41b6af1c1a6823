"""The object-store interface that job and result files are kept behind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voxhub.errors import ObjectNotFound, StorageUnavailable


class ObjectStore(Protocol):
    """Objects under `/`-separated keys such as `jobs/{id}/chunks/00003.pcm`.

    A missing object raises ObjectNotFound; any other failure StorageUnavailable.
    `media_type` and `filename` of the put methods are the headers a presigned download
    answers with, on stores that keep them with the object.
    """

    def put_bytes(
        self, key: str, data: bytes, media_type: str | None = None, filename: str | None = None
    ) -> None:
        """Write atomically, replacing any object under `key`."""
        ...

    def put_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        """Upload a local file in parts, so memory does not grow with its size; atomic."""
        ...

    def move_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        """Like put_file for a file the caller gives up: a local store renames it into place
        instead of copying it (a long job's audio is hundreds of megabytes)."""
        ...

    def get_bytes(self, key: str) -> bytes: ...

    def iter_bytes(self, key: str) -> Iterator[bytes]:
        """The object's bytes in pieces, for objects too large to hold at once."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix/`; returns how many there were."""
        ...

    def download_url(self, key: str) -> str | None:
        """A presigned GET URL, or None when clients cannot reach the store directly."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file that holds (or would hold) the object on this machine; None if remote."""
        ...

    def check(self) -> None:
        """Raise StorageUnavailable unless the store answers; cheap enough for /health."""
        ...


@dataclass(frozen=True)
class Download:
    """Where a client gets an object: a presigned URL, or a file this process serves."""

    url: str | None = None
    path: Path | None = None


def locate(store: ObjectStore, key: str) -> Download:
    """How to hand out `key`; ObjectNotFound when there is no such object."""
    if not store.exists(key):
        raise ObjectNotFound(f"No object {key!r} in the object store.")
    url = store.download_url(key)
    if url is not None:
        return Download(url=url)
    path = store.local_path(key)
    if path is None:
        raise StorageUnavailable(f"The object store can neither link to nor serve {key!r}.")
    return Download(path=path)
