"""Removing finished jobs on demand: what the server's hourly purge does, now (admins only)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter

from voxhub.api.auth import AccessDep, require
from voxhub.api.deps import ContainerDep
from voxhub.api.schemas.jobs import PurgeReport, PurgeRequest
from voxhub.errors import Forbidden, InvalidInput
from voxhub.services.jobs.retention import parse_age

router = APIRouter(prefix="/v1/admin/jobs", tags=["jobs"], dependencies=[require("jobs")])


@router.post("/purge", response_model=PurgeReport, summary="Remove finished jobs now")
async def purge_jobs(body: PurgeRequest, container: ContainerDep, access: AccessDep) -> PurgeReport:
    """Jobs that finished (succeeded, failed or cancelled) more than `older_than` ago, with
    their events and files, for every tenant; queued and running jobs are never touched."""
    if not access.admin:
        raise Forbidden("Purging jobs removes every tenant's jobs: it needs an admin key.")
    try:
        age = parse_age(body.older_than)
    except ValueError as exc:
        raise InvalidInput(f"older_than: {exc}") from exc
    report = await anyio.to_thread.run_sync(container.retention.purge, age)
    return PurgeReport(removed=report.jobs, files=report.objects, older_than=body.older_than)
