"""A running chunk's lease, renewed by a heartbeat while its worker works on it."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Protocol

log = logging.getLogger("voxhub.jobs")


class LeaseStore(Protocol):
    def renew_lease(self, job_id: str, index: int, attempt: int, lease_seconds: float) -> bool: ...


class LeaseKeeper:
    """Renews the lease every `heartbeat` seconds in a thread of its own, so a worker that
    dies stops renewing and its chunk is sent again within `lease` seconds, while a long
    chunk keeps its lease as long as it runs.

    `lost` turns true when a renewal finds the chunk is no longer this worker's (cancelled,
    or taken back after a stall); the work should then stop.
    """

    def __init__(
        self,
        store: LeaseStore,
        job_id: str,
        index: int,
        attempt: int,
        heartbeat: float,
        lease: float,
    ) -> None:
        self._store = store
        self._chunk = (job_id, index, attempt)
        self._heartbeat = heartbeat
        self._lease = lease
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-{job_id[:8]}-{index}", daemon=True
        )

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        job_id, index, attempt = self._chunk
        while not self._stop.wait(self._heartbeat):
            try:
                if not self._store.renew_lease(job_id, index, attempt, self._lease):
                    self._lost.set()
                    return
            except Exception:  # the database may be briefly away: try again next beat
                log.warning("job %s chunk %s: lease renewal failed", job_id, index, exc_info=True)
