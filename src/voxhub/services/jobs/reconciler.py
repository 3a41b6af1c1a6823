"""Finds work whose worker died or whose message was lost, and sends it again."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from voxhub.db.repositories.jobs import JobStore
from voxhub.services.jobs.queue import JobQueue
from voxhub.settings import JobSettings

log = logging.getLogger("voxhub.jobs")


class Reconciler:
    def __init__(
        self,
        store: JobStore,
        queue: JobQueue,
        settings: JobSettings,
        processed_dir: Path | None = None,
        sweeps: Sequence[Callable[[], int]] = (),
    ) -> None:
        self._store = store
        self._queue = queue
        self._settings = settings
        self._processed_dir = processed_dir
        # further passes over other tables (webhook deliveries), each returning messages sent
        self._sweeps = list(sweeps)

    def run_once(self) -> int:
        """One pass; returns how many messages were sent again."""
        settings = self._settings
        stale = self._store.stale_work(
            settings.max_retries,
            lost_after=settings.lost_after,
            requeue_after=settings.requeue_after,
            # asked only when work is queued
            waiting=self._queue.waiting,
        )
        for job_id, index in stale.chunks:
            text = self._store.chunk(job_id, index).text
            self._queue.send_chunk(job_id, index, len(text))
        for job_id in stale.merges:
            self._queue.send_merge(job_id)
        sent = len(stale.chunks) + len(stale.merges)
        if sent or stale.failed_jobs:
            log.warning(
                "reconciler: resent %d chunks and %d merges; %d jobs failed",
                len(stale.chunks),
                len(stale.merges),
                len(stale.failed_jobs),
            )
        self._purge_processed()
        return sent + sum(sweep() for sweep in self._sweeps)

    def _purge_processed(self) -> None:
        """The embedded broker keeps consumed messages; drop those older than an hour."""
        if self._processed_dir is None or not self._processed_dir.is_dir():
            return
        cutoff = time.time() - 3600
        for path in self._processed_dir.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:
                continue
