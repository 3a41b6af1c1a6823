"""Objects as files under a local directory (the data directory by default)."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from obstore.store import LocalStore

from voxhub.objects.obstore_backend import ObstoreObjects, check_key

_PROBE = ".health"


class LocalObjects(ObstoreObjects):
    """Key `jobs/{id}/audio.wav` is the file `{root}/jobs/{id}/audio.wav`; the API serves it."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self._root = root.absolute()
        self._store: LocalStore | None = None
        self._guard = threading.Lock()

    def local_path(self, key: str) -> Path | None:
        return self._root / check_key(key)

    def move_file(
        self, key: str, path: Path, media_type: str | None = None, filename: str | None = None
    ) -> None:
        target = self._root / check_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # atomic, and no copy: the scratch folder is under the data directory too
            os.replace(path, target)
        except OSError:  # another file system: copy it in like any upload
            super().move_file(key, path, media_type, filename)

    def check(self) -> None:
        """The directory takes a write and a delete."""
        key = f"{_PROBE}/{uuid.uuid4().hex}"
        self.put_bytes(key, b"")
        self._delete([key])

    def _backend(self) -> LocalStore:
        # built on first use, so the data directory appears only once something is stored
        with self._guard:
            if self._store is None:
                # obstore wants its root to exist
                self._root.mkdir(parents=True, exist_ok=True)
                # deleting a job's last file removes its then empty folders too
                self._store = LocalStore(self._root, automatic_cleanup=True)
            return self._store
