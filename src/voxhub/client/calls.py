"""The requests of the voxhub API and how their answers are read, shared by both clients."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from voxhub.client.errors import VoxhubAPIError, VoxhubConnectionError
from voxhub.client.models import Job, JobPage, PurgeReport, Speech, Token, Voice

T = TypeVar("T")

DEFAULT_URL = "http://127.0.0.1:8000"
# the parts `download` knows, and the route under the job that serves each
DOWNLOADS: dict[str, str] = {
    "audio": "audio",
    "srt": "subtitles.srt",
    "vtt": "subtitles.vtt",
    "timings": "timings.json",
}


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API request and the parser of its successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    body: dict[str, Any] | None = None
    # a multipart form instead of a JSON body: its fields and files
    form: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        if self.form is not None or self.files is not None:
            return http.build_request(
                self.method, self.path, params=self.params, data=self.form, files=self.files
            )
        return http.build_request(self.method, self.path, params=self.params, json=self.body)


@dataclass(frozen=True)
class Download:
    """One file of a finished job: where it comes from and where it goes."""

    part: str
    path: str
    target: Path

    @property
    def partial(self) -> Path:
        # written under a temporary name first, so a broken transfer never looks complete
        return self.target.with_name(self.target.name + ".part")


class OwnHostBearer(httpx.Auth):
    """Sends the API key to the API's own origin only: never to a storage host that a
    download redirects to, nor to an absolute URL elsewhere (httpx also drops the header
    when a redirect leaves the origin)."""

    def __init__(self, api_key: str, base_url: httpx.URL) -> None:
        self._header = f"Bearer {api_key}"
        self._origin = _origin(base_url)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        yield request


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def http_options(base_url: str, api_key: str | None, timeout: float) -> dict[str, Any]:
    """Keyword arguments of the httpx client both voxhub clients wrap."""
    url = httpx.URL(base_url.rstrip("/") + "/")
    return {
        "base_url": url,
        "auth": OwnHostBearer(api_key, url) if api_key else None,
        "timeout": httpx.Timeout(timeout),
        # job downloads may answer with a redirect to presigned storage URLs
        "follow_redirects": True,
        "headers": {"Accept": "application/json"},
    }


def check(response: httpx.Response) -> None:
    """Raise VoxhubAPIError for an error answer; its body must have been read."""
    if response.is_success:
        return
    code, message = "http_error", response.reason_phrase or f"HTTP {response.status_code}"
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        if response.text.strip():
            message = response.text.strip()[:500]
    raise VoxhubAPIError(
        response.status_code, code, message, retry_after(response.headers.get("Retry-After"))
    )


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def unreachable(base_url: httpx.URL, exc: httpx.TransportError) -> VoxhubConnectionError:
    reason = str(exc) or type(exc).__name__
    return VoxhubConnectionError(f"Cannot reach the voxhub server at {base_url}: {reason}")


def _model(parser: Callable[[Any], T]) -> Callable[[httpx.Response], T]:
    def parse(response: httpx.Response) -> T:
        try:
            return parser(response.json())
        except (ValueError, ValidationError) as exc:
            # the answer came from something that is not (this version of) voxhub
            raise VoxhubAPIError(
                response.status_code, "invalid_response", f"Unexpected answer: {exc}"
            ) from exc

    return parse


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def mint_token(path: str | None, seconds: int | None) -> Call[Token]:
    body = _without_none({"path": path, "seconds": seconds})
    return Call("POST", "v1/auth/tokens", _model(Token.model_validate), body=body)


def synthesize(text: str, options: Mapping[str, Any]) -> Call[Speech]:
    return Call("POST", "v1/tts", _model(Speech.model_validate), body=tts_body(text, options))


def tts_body(text: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": text, **_without_none(options)}


def list_voices(language: str | None, engine: str | None) -> Call[list[Voice]]:
    def voices(data: Any) -> list[Voice]:
        return [Voice.model_validate(v) for v in data["voices"]]

    params = _without_none({"language": language, "engine": engine})
    return Call("GET", "v1/voices", _model(voices), params=params)


def voice_path(voice_id: str) -> str:
    return f"v1/voices/{quote(voice_id, safe='')}"


def get_voice(voice_id: str) -> Call[Voice]:
    return Call("GET", voice_path(voice_id), _model(Voice.model_validate))


def register_voice(
    name: str,
    audio: bytes | Path | None,
    options: Mapping[str, Any],
) -> Call[Voice]:
    """A cloning template (`audio` or `audio_url`, plus `transcript`) or an engine voice
    (`engine_voice`) with aliases and default knobs."""
    form = _without_none({"name": name, **options})
    aliases = form.pop("aliases", None)
    if aliases:
        form["aliases"] = aliases if isinstance(aliases, str) else ",".join(aliases)
    files = None
    if audio is not None:
        data = audio.read_bytes() if isinstance(audio, Path) else audio
        filename = audio.name if isinstance(audio, Path) else "reference"
        files = {"audio": (filename, data, "application/octet-stream")}
    # every field goes as form text, so the server's multipart parser takes it
    text = {key: str(value) for key, value in form.items()}
    return Call("POST", "v1/voices", _model(Voice.model_validate), form=text, files=files)


def update_voice(voice_id: str, changes: Mapping[str, Any]) -> Call[Voice]:
    return Call("PATCH", voice_path(voice_id), _model(Voice.model_validate), body=dict(changes))


def delete_voice(voice_id: str) -> Call[None]:
    return Call("DELETE", voice_path(voice_id), lambda response: None)


def submit_job(text: str, options: Mapping[str, Any]) -> Call[Job]:
    return Call("POST", "v1/tts/jobs", _model(Job.model_validate), body=tts_body(text, options))


def get_job(job_id: str) -> Call[Job]:
    return Call("GET", job_path(job_id), _model(Job.model_validate))


def list_jobs(status: str | None, limit: int, offset: int) -> Call[JobPage]:
    params = _without_none({"status": status, "limit": limit, "offset": offset})
    return Call("GET", "v1/tts/jobs", _model(JobPage.model_validate), params=params)


def cancel_job(job_id: str) -> Call[Job]:
    return Call("POST", f"{job_path(job_id)}/cancel", _model(Job.model_validate))


def retry_job(job_id: str) -> Call[Job]:
    return Call("POST", f"{job_path(job_id)}/retry", _model(Job.model_validate))


def purge_jobs(older_than: str) -> Call[PurgeReport]:
    return Call(
        "POST",
        "v1/admin/jobs/purge",
        _model(PurgeReport.model_validate),
        body={"older_than": older_than},
    )


def job_path(job_id: str) -> str:
    # relative to the base URL, which may carry a path prefix behind a proxy; an id is
    # quoted so that it can never name another route
    return f"v1/tts/jobs/{quote(job_id, safe='')}"


def with_audio(speech: Speech, audio: bytes) -> Speech:
    return speech.model_copy(update={"audio": audio})


def downloads(job: Job, directory: Path, parts: Iterable[str]) -> list[Download]:
    """The files of `parts`, named `{job id}.{extension}` inside `directory`."""
    wanted = list(dict.fromkeys(parts))
    unknown = [p for p in wanted if p not in DOWNLOADS]
    if unknown or not wanted:
        raise ValueError(f"Unknown parts {unknown}; choose from {', '.join(DOWNLOADS)}.")
    names = {
        "audio": f"{job.id}.{job.format}",
        "srt": f"{job.id}.srt",
        "vtt": f"{job.id}.vtt",
        "timings": f"{job.id}.timings.json",
    }
    return [
        Download(part, f"{job_path(job.id)}/{DOWNLOADS[part]}", directory / names[part])
        for part in wanted
    ]
