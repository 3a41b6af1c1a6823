"""OpenAPI links: where an answer's ids lead, each to an operation with the method it has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# a link's target: the operation ("METHOD /path"), its parameters and request body, each a
# runtime expression on the answer ($response.body#/id)
Target = tuple[str, Mapping[str, str], Mapping[str, str] | None]

_JOB = "$response.body#/id"
JOB_TARGETS: Mapping[str, Target] = {
    "GetJob": ("GET /v1/tts/jobs/{job_id}", {"job_id": _JOB}, None),
    "CancelJob": ("POST /v1/tts/jobs/{job_id}/cancel", {"job_id": _JOB}, None),
    "RetryJob": ("POST /v1/tts/jobs/{job_id}/retry", {"job_id": _JOB}, None),
    "JobEvents": ("GET /v1/tts/jobs/{job_id}/events", {"job_id": _JOB}, None),
    "JobAudio": ("GET /v1/tts/jobs/{job_id}/audio", {"job_id": _JOB}, None),
    "JobSubtitlesSrt": ("GET /v1/tts/jobs/{job_id}/subtitles.srt", {"job_id": _JOB}, None),
    "JobSubtitlesVtt": ("GET /v1/tts/jobs/{job_id}/subtitles.vtt", {"job_id": _JOB}, None),
    "JobTimings": ("GET /v1/tts/jobs/{job_id}/timings.json", {"job_id": _JOB}, None),
}
_VOICE = "$response.body#/id"
VOICE_TARGETS: Mapping[str, Target] = {
    "GetVoice": ("GET /v1/voices/{voice_id}", {"voice_id": _VOICE}, None),
    "ChangeVoice": ("PATCH /v1/voices/{voice_id}", {"voice_id": _VOICE}, None),
    "DeleteVoice": ("DELETE /v1/voices/{voice_id}", {"voice_id": _VOICE}, None),
    "VoiceSample": ("GET /v1/voices/{voice_id}/sample", {"voice_id": _VOICE}, None),
}
_TASK = "$response.body#/task_id"
TASK_TARGETS: Mapping[str, Target] = {
    "TaskStatus": ("GET /tts/long/status/{task_id}", {"task_id": _TASK}, None),
    "CancelTask": ("POST /tts/long/cancel/{task_id}", {"task_id": _TASK}, None),
    "RetryTask": ("POST /tts/long/retry/{task_id}", {"task_id": _TASK}, None),
}
_CLONING = "$response.body#/data/taskId"
CLONING_TARGETS: Mapping[str, Target] = {
    "Task": ("GET /api/tts/task/{task_id}", {"task_id": _CLONING}, None),
    "RetryTask": ("POST /api/tts/retry", {}, {"taskId": _CLONING}),
    "TaskEvents": ("GET /events", {"taskId": _CLONING}, None),
}

# (operation, status) -> its links
LINKS: Mapping[tuple[str, str], Mapping[str, Target]] = {
    ("POST /v1/tts/jobs", "202"): JOB_TARGETS,
    ("GET /v1/tts/jobs/{job_id}", "200"): JOB_TARGETS,
    ("POST /v1/tts/jobs/{job_id}/cancel", "200"): JOB_TARGETS,
    ("POST /v1/tts/jobs/{job_id}/retry", "200"): JOB_TARGETS,
    ("POST /v1/voices", "201"): VOICE_TARGETS,
    ("PATCH /v1/voices/{voice_id}", "200"): VOICE_TARGETS,
    ("POST /tts/long/submit", "200"): TASK_TARGETS,
    ("POST /tts/long/cancel/{task_id}", "200"): TASK_TARGETS,
    ("POST /tts/long/retry/{task_id}", "200"): TASK_TARGETS,
    ("POST /api/tts", "200"): CLONING_TARGETS,
}


def add_links(operations: Mapping[str, dict[str, Any]]) -> None:
    """Links between the operations of `operations` ("METHOD /path" -> operation object)."""
    for (source, status), targets in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for name, (target, parameters, body) in targets.items():
            operation = operations.get(target)
            if operation is None:
                continue
            link: dict[str, Any] = {"operationId": operation["operationId"]}
            if parameters:
                link["parameters"] = dict(parameters)
            if body is not None:
                link["requestBody"] = dict(body)
            links[name] = link
