"""The error statuses each operation documents: those its shape implies, and its services'."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fastapi.dependencies.models import Dependant

from voxhub.api.auth import is_key_check
from voxhub.api.errors import status_of
from voxhub.api.route_table import HTTPRoute
from voxhub.errors import (
    CallbackUrlRefused,
    CloningNotSupported,
    Conflict,
    DeadlineExceeded,
    EmptyText,
    EngineNotFound,
    EngineUnavailable,
    Forbidden,
    InvalidInput,
    InvalidReferenceAudio,
    JobNotFound,
    ModelNotFound,
    NotFound,
    ObjectNotFound,
    Overloaded,
    PayloadTooLarge,
    RateLimited,
    RemoteTimeout,
    StorageUnavailable,
    TextTooLong,
    Unauthenticated,
    UndecodableAudio,
    UnsupportedFormat,
    UnsupportedLanguage,
    UnsupportedSampleRate,
    VoiceInUse,
    VoiceNotFound,
    VoxhubError,
)

Raised = tuple[type[VoxhubError], ...]

# what synthesis refuses in a request, and what it can run into
_SPEECH_INPUT: Raised = (EmptyText, UnsupportedFormat, UnsupportedSampleRate, UnsupportedLanguage)
SPEAKS: Raised = (
    *_SPEECH_INPUT,
    VoiceNotFound,
    TextTooLong,
    DeadlineExceeded,
    Overloaded,
    EngineUnavailable,
    RemoteTimeout,
)
SUBMITS: Raised = (
    *_SPEECH_INPUT,
    VoiceNotFound,
    TextTooLong,
    CallbackUrlRefused,
    RateLimited,
    EngineUnavailable,
    StorageUnavailable,
)
ACTS_ON_JOB: Raised = (JobNotFound, Conflict)
DOWNLOADS: Raised = (JobNotFound, ObjectNotFound, Conflict, StorageUnavailable)
TRANSCRIBES: Raised = (
    EngineNotFound,
    UnsupportedLanguage,
    UnsupportedFormat,
    UndecodableAudio,
    PayloadTooLarge,
    EngineUnavailable,
)

# beyond what every operation's shape implies (see `raised`), by "METHOD /path"
RAISES: Mapping[str, Raised] = {
    "POST /v1/tts": (*SPEAKS, StorageUnavailable),
    "POST /v1/tts/stream": SPEAKS,
    "GET /v1/tts/audio/{name}": (ObjectNotFound, StorageUnavailable),
    "GET /v1/tts/jobs/{job_id}/events": (JobNotFound,),
    "GET /v1/events": (JobNotFound,),
    "POST /v1/tts/jobs": SUBMITS,
    "GET /v1/tts/jobs/{job_id}": (JobNotFound,),
    "POST /v1/tts/jobs/{job_id}/cancel": ACTS_ON_JOB,
    "POST /v1/tts/jobs/{job_id}/retry": ACTS_ON_JOB,
    "GET /v1/tts/jobs/{job_id}/audio": DOWNLOADS,
    "GET /v1/tts/jobs/{job_id}/subtitles.srt": DOWNLOADS,
    "GET /v1/tts/jobs/{job_id}/subtitles.vtt": DOWNLOADS,
    "GET /v1/tts/jobs/{job_id}/timings.json": DOWNLOADS,
    "GET /v1/voices": (EngineNotFound, UnsupportedLanguage),
    "POST /v1/voices": (
        InvalidInput,
        InvalidReferenceAudio,
        UndecodableAudio,
        CloningNotSupported,
        UnsupportedLanguage,
        VoiceNotFound,
        EngineNotFound,
        Conflict,
        EngineUnavailable,
        StorageUnavailable,
    ),
    "GET /v1/voices/{voice_id}": (VoiceNotFound,),
    "PATCH /v1/voices/{voice_id}": (
        InvalidInput,
        CloningNotSupported,
        UnsupportedLanguage,
        VoiceNotFound,
        Conflict,
    ),
    "DELETE /v1/voices/{voice_id}": (VoiceNotFound, Conflict, VoiceInUse),
    "GET /v1/voices/{voice_id}/sample": (VoiceNotFound, EngineUnavailable, StorageUnavailable),
    "GET /v1/voices/{voice_id}/reference": (VoiceNotFound, StorageUnavailable),
    "POST /v1/auth/tokens": (InvalidInput,),
    "POST /v1/asr/transcriptions": TRANSCRIBES,
    "POST /v1/audio/speech": (*SPEAKS, ModelNotFound),
    "GET /v1/models/{model_id}": (ModelNotFound,),
    "POST /v1/audio/transcriptions": (*TRANSCRIBES, ModelNotFound),
    "POST /tts/online": (*SPEAKS, StorageUnavailable),
    "POST /tts/long/submit": SUBMITS,
    "GET /tts/long/status/{task_id}": (JobNotFound, StorageUnavailable),
    "POST /tts/long/cancel/{task_id}": (*ACTS_ON_JOB, StorageUnavailable),
    "POST /tts/long/retry/{task_id}": (*ACTS_ON_JOB, StorageUnavailable),
    "POST /api/tts": (InvalidInput, *SUBMITS, Conflict),
    "POST /api/tts/retry": (InvalidInput, JobNotFound, Conflict),
    "GET /api/tts/task/{task_id}": (JobNotFound,),
    "GET /events": (JobNotFound,),
    "POST /api/v1/tts": (InvalidInput, *SPEAKS),
    "GET /api/v1/prompts/{index}": (VoiceNotFound,),
}
# answered by a key check when VOXHUB_AUTH__MODE=keys
KEY_ERRORS: Raised = (Unauthenticated, Forbidden, RateLimited)
# the codes of a request that does not fit the document, and of a body that does not parse
# (api/errors.py: _validation_error, _http_error)
VALIDATION_CODE = "invalid_request"
MALFORMED_CODE = "http_error"


def raised(route: HTTPRoute, method: str) -> Raised:
    """What the operation can answer with, as error classes: a path parameter that names
    nothing is 404, a body over its limit 413, and a key check answers 401, 403 and 429;
    the rest comes from RAISES."""
    found: list[type[VoxhubError]] = list(RAISES.get(f"{method} {route.path_format}", ()))
    dependants = list(_dependants(route.dependant))
    if any(d.path_params for d in dependants):
        found.append(NotFound)
    if takes_body(route):
        found.append(PayloadTooLarge)
    if checks_key(route.dependant):
        found.extend(KEY_ERRORS)
    return tuple(dict.fromkeys(found))


def takes_body(route: HTTPRoute) -> bool:
    return any(d.body_params for d in _dependants(route.dependant))


def validates(route: HTTPRoute) -> bool:
    """Whether the request has anything that can fail validation (422)."""
    return any(
        d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
        for d in _dependants(route.dependant)
    )


def _dependants(dependant: Dependant | None) -> Iterator[Dependant]:
    """The route's dependant and those of its dependencies, all the way down."""
    if dependant is None:
        return
    yield dependant
    for dependency in dependant.dependencies:
        yield from _dependants(dependency)


def checks_key(dependant: Dependant | None) -> bool:
    """Whether the route, or one of its dependencies, checks an API key."""
    return any(d.call is not None and is_key_check(d.call) for d in _dependants(dependant))


def by_status(classes: Raised, renamed: Mapping[int, int]) -> dict[int, list[type[VoxhubError]]]:
    """The classes grouped by the status the family answers them with."""
    grouped: dict[int, list[type[VoxhubError]]] = {}
    for cls in classes:
        status = status_of(cls)
        grouped.setdefault(renamed.get(status, status), []).append(cls)
    return grouped
