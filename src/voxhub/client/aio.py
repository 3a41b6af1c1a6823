"""The asynchronous voxhub client, on httpx.AsyncClient (asyncio or trio)."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import anyio
import httpx

from voxhub.client import calls
from voxhub.client.errors import VoxhubTimeoutError
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


class AsyncClient:
    """The voxhub HTTP API, awaitable; the same methods and errors as `Client`.

    ```python
    async with AsyncClient("http://127.0.0.1:8000") as voxhub:
        job = await voxhub.submit_job(text)
        async for event in voxhub.events(job.id):
            print(event.event, event.progress)
    ```
    """

    def __init__(
        self,
        base_url: str = calls.DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            **calls.http_options(base_url, api_key, timeout), transport=transport
        )
        self._timeout = timeout

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def synthesize(self, text: str, **options: Any) -> Speech:
        """Speak short text; see `Client.synthesize`."""
        speech = await self._call(calls.synthesize(text, options))
        response = await self._send(self._http.build_request("GET", speech.audio_url))
        return calls.with_audio(speech, response.content)

    async def synthesize_stream(self, text: str, **options: Any) -> AsyncIterator[bytes]:
        """Audio bytes as the server produces them, sentence by sentence."""
        body = calls.tts_body(text, options)
        try:
            async with self._http.stream("POST", "v1/tts/stream", json=body) as response:
                await _check_stream(response)
                async for chunk in response.aiter_bytes():
                    yield chunk
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc

    async def list_voices(
        self, language: str | None = None, engine: str | None = None
    ) -> list[Voice]:
        return await self._call(calls.list_voices(language, engine))

    async def get_voice(self, voice_id: str) -> Voice:
        """A voice by id or alias."""
        return await self._call(calls.get_voice(voice_id))

    async def register_voice(
        self, name: str, audio: bytes | Path | None = None, **options: Any
    ) -> Voice:
        """Register a cloning template (`audio` bytes or file, or `audio_url=`, with
        `transcript=`) or an engine voice (`engine_voice="kokoro:jm_kumo"`); other options:
        engine, language, aliases (a list), speed, temperature, top_p, top_k, instruction."""
        return await self._call(calls.register_voice(name, audio, options))

    async def update_voice(self, voice_id: str, **changes: Any) -> Voice:
        """Change name, language, aliases, transcript, engine or defaults (a dict)."""
        return await self._call(calls.update_voice(voice_id, changes))

    async def delete_voice(self, voice_id: str) -> None:
        """Remove a registered voice (409 while queued or running jobs use it)."""
        await self._call(calls.delete_voice(voice_id))

    async def submit_job(
        self,
        text: str,
        *,
        priority: int | None = None,
        callback_url: str | None = None,
        **options: Any,
    ) -> Job:
        return await self._call(
            calls.submit_job(text, {**options, "priority": priority, "callback_url": callback_url})
        )

    async def get_job(self, job_id: str) -> Job:
        return await self._call(calls.get_job(job_id))

    async def list_jobs(
        self, status: str | None = None, limit: int = 20, offset: int = 0
    ) -> JobPage:
        return await self._call(calls.list_jobs(status, limit, offset))

    async def cancel_job(self, job_id: str) -> Job:
        return await self._call(calls.cancel_job(job_id))

    async def retry_job(self, job_id: str) -> Job:
        return await self._call(calls.retry_job(job_id))

    async def purge_jobs(self, older_than: str = "7d") -> PurgeReport:
        """Remove every tenant's jobs that finished more than `older_than` ago (7d, 12h, 30m,
        90s), with their files; needs an admin key when keys are on."""
        return await self._call(calls.purge_jobs(older_than))

    def events(
        self, job_id: str, last_event_id: int | str | None = None
    ) -> AsyncIterator[JobEvent]:
        """See `Client.events`."""
        return self._follow(EventFollower(job_id, last_event_id, connect_timeout=self._timeout))

    async def wait(
        self,
        job_id: str,
        on_progress: Callable[[JobProgress], object | Awaitable[object]] | None = None,
        # the same signature as Client.wait; applied below with a cancel scope, not polled
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Job:
        """See `Client.wait`; `on_progress` may be a coroutine function."""
        follower = EventFollower(job_id, connect_timeout=self._timeout)
        try:
            with anyio.fail_after(timeout):
                # closed even when on_progress raises: the stream's connection goes with it
                async with aclosing(self._follow(follower)) as events:
                    async for event in events:
                        if on_progress is not None and event.progress is not None:
                            outcome = on_progress(event.progress)
                            if inspect.isawaitable(outcome):
                                await outcome
        except TimeoutError as exc:
            raise VoxhubTimeoutError(f"Job {job_id} did not end in the time allowed.") from exc
        return await self.get_job(job_id)

    async def download(
        self,
        job_id: str,
        directory: str | os.PathLike[str],
        parts: Iterable[str] = ("audio", "srt"),
    ) -> dict[str, Path]:
        """See `Client.download`."""
        target = Path(directory)
        plan = calls.downloads(await self.get_job(job_id), target, parts)
        await anyio.Path(target).mkdir(parents=True, exist_ok=True)
        for item in plan:
            try:
                await self._save(item)
            except BaseException:
                await anyio.Path(item.partial).unlink(missing_ok=True)
                raise
            await anyio.Path(item.partial).replace(item.target)
        return {item.part: item.target for item in plan}

    async def mint_token(self, path: str | None = None, seconds: int | None = None) -> Token:
        """See `Client.mint_token`."""
        return await self._call(calls.mint_token(path, seconds))

    async def _save(self, item: calls.Download) -> None:
        try:
            async with self._http.stream("GET", item.path) as response:
                await _check_stream(response)
                async with await anyio.open_file(item.partial, "wb") as file:
                    async for chunk in response.aiter_bytes():
                        await file.write(chunk)
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc

    async def _follow(self, follower: EventFollower) -> AsyncGenerator[JobEvent, None]:
        while not follower.done:
            try:
                async with self._http.stream(
                    "GET", follower.path, headers=follower.headers(), timeout=follower.timeout()
                ) as response:
                    if not response.is_success:
                        await response.aread()
                        delay = follower.rejected(response)
                    else:
                        async for chunk in response.aiter_bytes():
                            for event in follower.feed(chunk):
                                yield event
                            if follower.done:
                                return
                        delay = follower.ended()
            except httpx.TransportError as exc:
                delay = follower.dropped(str(exc) or type(exc).__name__)
            await anyio.sleep(delay)

    async def _call(self, call: calls.Call[T]) -> T:
        return call.parse(await self._send(call.request(self._http)))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            raise calls.unreachable(self._http.base_url, exc) from exc
        calls.check(response)
        return response


async def _check_stream(response: httpx.Response) -> None:
    if not response.is_success:
        await response.aread()
        calls.check(response)
