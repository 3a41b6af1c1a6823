"""The JSON body of a callback: which event, and the job's state when it happened."""

from __future__ import annotations

import json

from voxhub.db.repositories.events import JobEvent


def event_name(event: JobEvent) -> str:
    """The event's name: job.succeeded, job.failed, job.cancelled, or job.progress before."""
    return f"job.{event.status}" if event.terminal else "job.progress"


def render(delivery_id: str, event: JobEvent, public_url: str = "") -> str:
    """The body sent on every attempt; links are paths, absolute when a public URL is set."""
    base = f"{public_url.rstrip('/')}/v1/tts/jobs/{event.job_id}"
    body = {
        "id": delivery_id,
        "event": event_name(event),
        # increases with every event of a job: receivers can drop one older than they saw
        "event_id": event.id,
        "created_at": event.created_at.isoformat(),
        "job": {
            "id": event.job_id,
            "status": event.status,
            "chunks_done": event.chunks_done,
            "chunks_total": event.chunks_total,
            "percent": event.percent,
            "eta_seconds": event.eta_seconds,
            "error": event.error,
            "dead_lettered": event.dead_lettered,
            "urls": {
                "self": base,
                "audio": f"{base}/audio",
                "srt": f"{base}/subtitles.srt",
                "vtt": f"{base}/subtitles.vtt",
                "timings": f"{base}/timings.json",
            },
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
