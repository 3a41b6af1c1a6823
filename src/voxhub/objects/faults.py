"""An ObjectStore that fails chosen operations a chosen number of times, for fault tests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from voxhub.errors import StorageUnavailable, VoxhubError
from voxhub.objects.base import ObjectStore

OPERATIONS = (
    "put_bytes",
    "put_file",
    "move_file",
    "get_bytes",
    "iter_bytes",
    "exists",
    "delete_prefix",
    "download_url",
    "local_path",
    "check",
)


@dataclass
class _Fault:
    times: int
    match: str
    error: VoxhubError | None


class FaultyObjects:
    """Passes every call to `inner`, except the ones `fail` arranged to raise first."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner = inner
        # every call by operation, and every (operation, key) that was made to fail
        self.calls: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._guard = threading.Lock()

    def fail(
        self, operation: str, times: int = 1, match: str = "", error: VoxhubError | None = None
    ) -> None:
        """The next `times` calls of `operation` on a key containing `match` raise `error`
        (StorageUnavailable by default); a negative `times` fails them for ever."""
        if operation not in OPERATIONS:
            raise ValueError(f"no operation {operation!r}; use one of {', '.join(OPERATIONS)}")
        with self._guard:
            self._faults.setdefault(operation, []).append(_Fault(times, match, error))

    def heal(self) -> None:
        with self._guard:
            self._faults.clear()

    def put_bytes(
        self, key: str, data: bytes, media_type: str | None = None, filename: str | None = None
    ) -> None:
        self._call("put_bytes", key)
        self.inner.put_bytes(key, data, media_type, filename)

    def put_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        self._call("put_file", key)
        self.inner.put_file(key, path, media_type, filename)

    def move_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        self._call("move_file", key)
        self.inner.move_file(key, path, media_type, filename)

    def get_bytes(self, key: str) -> bytes:
        self._call("get_bytes", key)
        return self.inner.get_bytes(key)

    def iter_bytes(self, key: str) -> Iterator[bytes]:
        self._call("iter_bytes", key)
        return self.inner.iter_bytes(key)

    def exists(self, key: str) -> bool:
        self._call("exists", key)
        return self.inner.exists(key)

    def delete_prefix(self, prefix: str) -> int:
        self._call("delete_prefix", prefix)
        return self.inner.delete_prefix(prefix)

    def download_url(self, key: str) -> str | None:
        self._call("download_url", key)
        return self.inner.download_url(key)

    def local_path(self, key: str) -> Path | None:
        self._call("local_path", key)
        return self.inner.local_path(key)

    def check(self) -> None:
        self._call("check", "")
        self.inner.check()

    def _call(self, operation: str, key: str) -> None:
        with self._guard:
            self.calls[operation] += 1
            for fault in self._faults.get(operation, []):
                if fault.times != 0 and fault.match in key:
                    if fault.times > 0:
                        fault.times -= 1
                    self.failures.append((operation, key))
                    raise fault.error or StorageUnavailable(
                        f"Injected fault: {operation} of {key!r} failed."
                    )
