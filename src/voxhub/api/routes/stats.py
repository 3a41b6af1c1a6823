"""Live statistics: admission per length class, jobs, configuration, Prometheus metrics."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from voxhub.api.auth import metrics_access, require
from voxhub.api.deps import AdmissionDep, ContainerDep, asr_figures

router = APIRouter(tags=["operations"])


@router.get(
    "/v1/stats",
    summary="Admission, job and configuration statistics",
    dependencies=[require(None)],
)
async def stats(
    request: Request, container: ContainerDep, admission: AdmissionDep
) -> dict[str, Any]:
    store = container.job_store
    counts, queued = await anyio.to_thread.run_sync(lambda: (store.counts(), store.queued_chunks()))
    return {
        "admission": {
            name: {
                "active": s.active,
                "total": s.total,
                "limit": s.limit,
                "available": s.available,
                "queued": s.queued,
                "queue_limit": s.queue_limit,
                "rejected": s.rejected,
                "timed_out": s.timed_out,
                "forecast_rejected": s.forecast_rejected,
                "prediction_misses": s.prediction_misses,
            }
            for name, s in admission.stats.items()
        },
        "jobs": {"by_status": counts, "chunks_queued": queued},
        # real-time recognition: connections, sessions, audio and decode seconds, RTF
        "asr": asr_figures(request),
        "config": {
            "admission": admission.settings.model_dump(),
            "online_max_chars": container.settings.online.max_chars,
            "jobs": container.settings.jobs.model_dump(exclude={"broker_url"}),
        },
    }


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    include_in_schema=False,
    dependencies=[Depends(metrics_access)],
)
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    # collecting reads the job table: keep it off the event loop
    body = await anyio.to_thread.run_sync(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
