"""The GLM-TTS service's routes: concurrency statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from voxhub.api.deps import AdmissionDep

router = APIRouter(tags=["compatibility"])


@router.get("/api/v1/stats/concurrency", summary="GLM-TTS compatible concurrency statistics")
async def glm_concurrency(admission: AdmissionDep) -> dict[str, Any]:
    names = {"short": "short_text", "long": "long_text"}
    return {
        "success": True,
        "stats": {
            names[name]: {
                "active": s.active,
                "total": s.total,
                "limit": s.limit,
                "available": s.available,
            }
            for name, s in admission.stats.items()
        },
        "config": {
            "concurrency": {
                "short_text": admission.settings.short_concurrency,
                "long_text": admission.settings.long_concurrency,
                "threshold": admission.settings.threshold,
            }
        },
    }
