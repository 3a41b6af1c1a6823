"""Retention: finished jobs, their events and their files go after a number of days."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from voxhub.db.repositories.jobs import JobStore
from voxhub.services.jobs.files import JobFiles

log = logging.getLogger("voxhub.jobs")


@dataclass
class PurgeReport:
    jobs: list[str] = field(default_factory=list)
    objects: int = 0


class Retention:
    def __init__(self, store: JobStore, files: JobFiles) -> None:
        self._store = store
        self._files = files

    def purge(self, older_than: timedelta, batch: int = 500) -> PurgeReport:
        """Remove jobs that finished more than `older_than` ago; active jobs are never touched.

        Files go first, rows second: a purge that stops half-way leaves rows whose files
        are gone, which the next purge removes, and never files nobody can find.
        """
        report = PurgeReport()
        while True:
            expired = self._store.finished_before(older_than, batch)
            if not expired:
                break
            for job_id in expired:
                report.objects += self._files.remove(job_id)
            self._store.delete_jobs(expired)
            report.jobs += expired
            if len(expired) < batch:
                break
        if report.jobs:
            log.info("retention: removed %d jobs and %d files", len(report.jobs), report.objects)
        return report


# a century: older than anything voxhub stored, and a cut-off the database can still compare
_OLDEST = timedelta(days=36_500)


def parse_age(text: str) -> timedelta:
    """`7d`, `12h`, `30m`, `90s` or a number of days, as in `voxhub jobs purge --older-than`."""
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds", "w": "weeks"}
    value = text.strip().lower()
    unit = "days"
    if value and value[-1] in units:
        unit = units[value[-1]]
        value = value[:-1]
    try:
        amount = float(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an age; write a number with d, h, m or s, such as 7d or 12h."
        ) from None
    if amount < 0:
        raise ValueError(f"{text!r} is negative; an age is zero or more.")
    try:
        age = timedelta(**{unit: amount})
    except OverflowError:
        age = _OLDEST + timedelta(days=1)
    if age > _OLDEST:
        raise ValueError(f"{text!r} reaches before any job; ages go up to {_OLDEST.days} days.")
    return age
