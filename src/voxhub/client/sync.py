"""The blocking voxhub client, on httpx.Client."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx

from voxhub.client import calls
from voxhub.client.follow import EventFollower
from voxhub.client.models import (
    Job,
    JobEvent,
    JobPage,
    JobProgress,
    PurgeReport,
    Speech,
    Token,
    Voice,
)

T = TypeVar("T")


class Client:
    """The voxhub HTTP API.

    ```python
    with Client("http://127.0.0.1:8000", api_key="…") as voxhub:
        job = voxhub.submit_job(text, voice="espeak:en-us", format="mp3")
        done = voxhub.wait(job.id, on_progress=lambda p: print(p.percent))
        if done.succeeded:
            voxhub.download(job.id, "out")
    ```

    `api_key` (a `vxk_…` key, when the server has VOXHUB_AUTH__MODE=keys) is sent as
    `Authorization: Bearer` to the API's own origin only.

    Errors: VoxhubAPIError for an error answer (401 `unauthenticated` for a missing or
    refused key, 403 `forbidden` when its scopes lack the route, 429 with `retry_after` for
    a key's rate limits), VoxhubConnectionError when the server cannot be reached,
    VoxhubTimeoutError when `wait` runs out of time.
    """

    def __init__(
        self,
        base_url: str = calls.DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            **calls.http_options(base_url, api_key, timeout), transport=transport
        )
        self._timeout = timeout

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def synthesize(self, text: str, **options: Any) -> Speech:
        """Speak short text; `options` are the fields of POST /v1/tts (voice, language,
        speed, format, sample_rate, subtitle_format, …). The audio is fetched too."""
        speech = self._call(calls.synthesize(text, options))
        audio = self._send(self._http.build_request("GET", speech.audio_url)).content
        return calls.with_audio(speech, audio)

    def synthesize_stream(self, text: str, **options: Any) -> Iterator[bytes]:
        """Audio bytes as the server produces them, sentence by sentence."""
        body = calls.tts_body(text, options)
        try:
            with self._http.stream("POST", "v1/tts/stream", json=body) as response:
                _check_stream(response)
                yield from response.iter_bytes()
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc

    def list_voices(self, language: str | None = None, engine: str | None = None) -> list[Voice]:
        return self._call(calls.list_voices(language, engine))

    def get_voice(self, voice_id: str) -> Voice:
        """A voice by id or alias."""
        return self._call(calls.get_voice(voice_id))

    def register_voice(self, name: str, audio: bytes | Path | None = None, **options: Any) -> Voice:
        """Register a cloning template (`audio` bytes or file, or `audio_url=`, with
        `transcript=`) or an engine voice (`engine_voice="kokoro:jm_kumo"`); other options:
        engine, language, aliases (a list), speed, temperature, top_p, top_k, instruction."""
        return self._call(calls.register_voice(name, audio, options))

    def update_voice(self, voice_id: str, **changes: Any) -> Voice:
        """Change name, language, aliases, transcript, engine or defaults (a dict)."""
        return self._call(calls.update_voice(voice_id, changes))

    def delete_voice(self, voice_id: str) -> None:
        """Remove a registered voice (409 while queued or running jobs use it)."""
        self._call(calls.delete_voice(voice_id))

    def submit_job(
        self,
        text: str,
        *,
        priority: int | None = None,
        callback_url: str | None = None,
        **options: Any,
    ) -> Job:
        """Queue long text (up to 50,000 characters); `options` as for `synthesize`."""
        return self._call(
            calls.submit_job(text, {**options, "priority": priority, "callback_url": callback_url})
        )

    def get_job(self, job_id: str) -> Job:
        return self._call(calls.get_job(job_id))

    def list_jobs(self, status: str | None = None, limit: int = 20, offset: int = 0) -> JobPage:
        """Newest first."""
        return self._call(calls.list_jobs(status, limit, offset))

    def cancel_job(self, job_id: str) -> Job:
        return self._call(calls.cancel_job(job_id))

    def retry_job(self, job_id: str) -> Job:
        return self._call(calls.retry_job(job_id))

    def purge_jobs(self, older_than: str = "7d") -> PurgeReport:
        """Remove every tenant's jobs that finished more than `older_than` ago (7d, 12h, 30m,
        90s), with their files; needs an admin key when keys are on."""
        return self._call(calls.purge_jobs(older_than))

    def events(self, job_id: str, last_event_id: int | str | None = None) -> Iterator[JobEvent]:
        """The job's events, from a snapshot to the event that ends it (or from after
        `last_event_id`); a dropped connection is resumed where it broke."""
        return self._follow(EventFollower(job_id, last_event_id, connect_timeout=self._timeout))

    def wait(
        self,
        job_id: str,
        on_progress: Callable[[JobProgress], object] | None = None,
        timeout: float | None = None,
    ) -> Job:
        """Block until the job has succeeded, failed or been cancelled, and return it: check
        `status` (a failed job is returned, not raised). VoxhubTimeoutError after `timeout`
        seconds (checked whenever an event or heartbeat arrives, and on a silent stream)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        follower = EventFollower(job_id, deadline=deadline, connect_timeout=self._timeout)
        for event in self._follow(follower):
            if on_progress is not None and event.progress is not None:
                on_progress(event.progress)
        return self.get_job(job_id)

    def download(
        self,
        job_id: str,
        directory: str | os.PathLike[str],
        parts: Iterable[str] = ("audio", "srt"),
    ) -> dict[str, Path]:
        """Stream a succeeded job's files (audio, srt, vtt, timings) into `directory`."""
        target = Path(directory)
        plan = calls.downloads(self.get_job(job_id), target, parts)
        target.mkdir(parents=True, exist_ok=True)
        for item in plan:
            try:
                self._save(item)
            except BaseException:
                item.partial.unlink(missing_ok=True)
                raise
            os.replace(item.partial, item.target)
        return {item.part: item.target for item in plan}

    def mint_token(self, path: str | None = None, seconds: int | None = None) -> Token:
        """A short-lived token acting for this client's API key, for a URL that cannot carry
        the key in a header (a browser's EventSource, WebSocket or `<audio src>`): add
        `token.query` to it. With `path` ("/v1/tts/jobs/ID/audio") it is good only for that
        path and below; `seconds` shortens its life (the server caps it). A server with
        authentication off, or a client without a key, answers 401 (VoxhubAPIError)."""
        return self._call(calls.mint_token(path, seconds))

    def _save(self, item: calls.Download) -> None:
        try:
            with self._http.stream("GET", item.path) as response:
                _check_stream(response)
                with item.partial.open("wb") as file:
                    for chunk in response.iter_bytes():
                        file.write(chunk)
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc

    def _follow(self, follower: EventFollower) -> Iterator[JobEvent]:
        while not follower.done:
            try:
                with self._http.stream(
                    "GET", follower.path, headers=follower.headers(), timeout=follower.timeout()
                ) as response:
                    if not response.is_success:
                        response.read()
                        delay = follower.rejected(response)
                    else:
                        for chunk in response.iter_bytes():
                            yield from follower.feed(chunk)
                            if follower.done:
                                return
                        delay = follower.ended()
            except httpx.TransportError as exc:
                delay = follower.dropped(str(exc) or type(exc).__name__)
            time.sleep(delay)

    def _call(self, call: calls.Call[T]) -> T:
        return call.parse(self._send(call.request(self._http)))

    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc
        calls.check(response)
        return response


def _check_stream(response: httpx.Response) -> None:
    if not response.is_success:
        response.read()
        calls.check(response)
