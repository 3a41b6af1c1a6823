"""The ObjectStore operations shared by the obstore-backed stores (local directory and S3)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError, NotFoundError

from voxhub.errors import InvalidInput, ObjectNotFound, StorageUnavailable
from voxhub.objects.signal_mask import signals_blocked

if TYPE_CHECKING:
    from obstore import Attributes
    from obstore.store import ObjectStore as Backend

# plain path segments only: no "..", no empty segments, nothing a shell or URL must escape
_KEY = re.compile(r"^[A-Za-z0-9_.=-]+(/[A-Za-z0-9_.=-]+)*$")
# a streamed upload holds at most part size × parts in flight of the file in memory
PART_SIZE = 8 * 1024 * 1024
PARTS_IN_FLIGHT = 2
# S3 deletes at most 1000 keys per request
_DELETE_BATCH = 1000
_READ_PIECE = 1024 * 1024


def check_key(key: str) -> str:
    if ".." in key.split("/") or not _KEY.match(key):
        raise InvalidInput(f"Object keys are '/'-separated plain names; {key!r} is not one.")
    return key


class ObstoreObjects(ABC):
    """Every operation of ObjectStore but the store-specific ones: links, paths and `check`."""

    def __init__(self, description: str) -> None:
        self._description = description

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._description})"

    def put_bytes(
        self, key: str, data: bytes, media_type: str | None = None, filename: str | None = None
    ) -> None:
        with self._errors(key):
            obstore.put(
                self._backend(),
                check_key(key),
                data,
                attributes=self._attributes(media_type, filename),
                use_multipart=False,
            )

    def put_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        with self._errors(key):
            obstore.put(
                self._backend(),
                check_key(key),
                path,
                attributes=self._attributes(media_type, filename),
                chunk_size=PART_SIZE,
                max_concurrency=PARTS_IN_FLIGHT,
            )

    def move_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        self.put_file(key, path, media_type, filename)
        path.unlink(missing_ok=True)

    def get_bytes(self, key: str) -> bytes:
        with self._errors(key):
            return obstore.get(self._backend(), check_key(key)).bytes().to_bytes()

    def iter_bytes(self, key: str) -> Iterator[bytes]:
        # each step on its own: signals stay blocked only while obstore works, never while
        # the consumer handles a piece
        with self._errors(key):
            result = obstore.get(self._backend(), check_key(key))
            pieces = iter(result.stream(min_chunk_size=_READ_PIECE))
        while True:
            with self._errors(key):
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    def exists(self, key: str) -> bool:
        try:
            with self._errors(key):
                obstore.head(self._backend(), check_key(key))
        except ObjectNotFound:
            return False
        return True

    def delete_prefix(self, prefix: str) -> int:
        with self._errors(prefix):
            keys = [
                meta["path"]
                for page in obstore.list(self._backend(), check_key(prefix.rstrip("/")))
                for meta in page
            ]
        for start in range(0, len(keys), _DELETE_BATCH):
            self._delete(keys[start : start + _DELETE_BATCH])
        return len(keys)

    @abstractmethod
    def _backend(self) -> Backend:
        """The obstore store every call goes to."""

    def download_url(self, key: str) -> str | None:
        return None

    def local_path(self, key: str) -> Path | None:
        return None

    def _attributes(self, media_type: str | None, filename: str | None) -> Attributes | None:
        """Headers kept with the object; None where the backend cannot keep them."""
        return None

    def _delete(self, keys: list[str]) -> None:
        try:
            with self._errors(keys[0]):
                obstore.delete(self._backend(), keys)
        except ObjectNotFound:
            # another process removed some of them first (a local store reports that)
            for key in keys:
                try:
                    with self._errors(key):
                        obstore.delete(self._backend(), key)
                except ObjectNotFound:
                    pass

    @contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        """Around every obstore call: signals kept off its threads, its errors as voxhub's."""
        try:
            with signals_blocked():
                yield
        except (FileNotFoundError, NotFoundError) as exc:
            raise ObjectNotFound(f"No object {key!r} in {self!r}.") from exc
        except (BaseError, OSError, NotImplementedError, ValueError) as exc:
            raise StorageUnavailable(f"{self!r} failed on {key!r}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"
