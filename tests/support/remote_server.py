"""A local stand-in for Replicate's predictions API and OpenAI's speech API, for tests.

It runs on a real uvicorn at 127.0.0.1 in a thread, records every request, and answers
with WAV tones whose length encodes the text received (SECONDS_PER_CHAR per character,
divided by the speed), so a test can tell which text arrived from the audio alone.

Predictions go starting -> processing -> succeeded (or failed with `fail_error`) as time
passes; their output is a URL of a WAV file served by the same server, under the host name
`files_host` (another origin than 127.0.0.1, as replicate.delivery is for api.replicate.com).
Faults: `fail_next(status, times, retry_after)` answers the next API calls with an error,
`processing_seconds` makes predictions (and speech) slow, a wrong token gets 401.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import soundfile as sf
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SAMPLE_RATE = 16_000
SECONDS_PER_CHAR = 0.05
TERMINAL = ("succeeded", "failed", "canceled")


@dataclass
class Recorded:
    """One request as the server received it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float
    status: int = 0


@dataclass
class Prediction:
    id: str
    input: dict[str, Any]
    created: float
    starting: float
    processing: float
    error: str | None
    canceled: bool = False
    # the client has learnt how it ended (output fetched, or failure/cancel reported)
    settled: bool = False
    # statuses this prediction was reported with, in order
    reported: list[str] = field(default_factory=list)


def tone_wav(characters: int, speed: float = 1.0) -> bytes:
    """A 16-bit WAV tone lasting SECONDS_PER_CHAR per character, divided by `speed`."""
    length = round(characters * SECONDS_PER_CHAR / speed * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    samples = (0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


Handler = Callable[[Request, Any], Awaitable[Response]]


class RemoteServer:
    """The server's state; tests change the knobs between calls and read what it recorded."""

    def __init__(
        self,
        token: str = "r8_test_token",
        voices: tuple[str, ...] = ("alloy", "nova"),
        files_host: str = "localhost",
    ) -> None:
        self.token = token
        self.voices = voices
        self.files_host = files_host
        self.starting_seconds = 0.02
        self.processing_seconds = 0.05
        self.fail_error: str | None = None
        self.url = ""
        self.predictions: dict[str, Prediction] = {}
        self.max_in_flight = 0
        self._in_flight = 0
        self._requests: list[Recorded] = []
        self._faults: deque[tuple[int, str | None]] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._port = 0

    # ---- knobs and records, for tests

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` API calls with `status` (and a Retry-After header)."""
        with self._lock:
            self._faults.extend([(status, retry_after)] * times)

    def requests(self, method: str | None = None, path: str = "") -> list[Recorded]:
        """Recorded requests, optionally only one method and paths starting with `path`."""
        with self._lock:
            return [
                r
                for r in self._requests
                if (method is None or r.method == method) and r.path.startswith(path)
            ]

    def creations(self) -> list[Recorded]:
        return [r for r in self.requests("POST") if r.path.endswith("/predictions")]

    # ---- serving

    @contextmanager
    def running(self) -> Iterator[RemoteServer]:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=0, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the remote test server did not start")
            time.sleep(0.01)
        self._port = server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self._port}"
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    def app(self) -> Starlette:
        api = self._api
        return Starlette(
            routes=[
                Route("/v1/predictions", api(self._create_by_version), methods=["POST"]),
                Route(
                    "/v1/models/{owner}/{name}/predictions",
                    api(self._create_by_model),
                    methods=["POST"],
                ),
                Route("/v1/predictions/{id}", api(self._get), methods=["GET"]),
                Route("/v1/predictions/{id}/cancel", api(self._cancel), methods=["POST"]),
                Route("/v1/audio/speech", api(self._speech), methods=["POST"]),
                Route("/files/{id}.wav", self._recorded(self._file), methods=["GET"]),
            ]
        )

    def _recorded(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            record = Recorded(
                request.method,
                request.url.path,
                {k.lower(): v for k, v in request.headers.items()},
                body,
                time.monotonic(),
            )
            with self._lock:
                self._requests.append(record)
            response = await handler(request, body)
            record.status = response.status_code
            return response

        return endpoint

    def _api(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Injected faults first, then the bearer token, then the route itself."""

        async def guarded(request: Request, body: Any) -> Response:
            with self._lock:
                fault = self._faults.popleft() if self._faults else None
            if fault is not None:
                status, retry_after = fault
                headers = {"Retry-After": retry_after} if retry_after else None
                return _problem(status, "Injected fault", f"the server failed ({status})", headers)
            if request.headers.get("authorization") != f"Bearer {self.token}":
                if request.url.path == "/v1/audio/speech":
                    return _openai_error(401, "Incorrect API key provided.")
                return _problem(401, "Unauthenticated", "You did not pass a valid token.")
            return await handler(request, body)

        return self._recorded(guarded)

    # ---- predictions

    async def _create_by_version(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or not isinstance(body.get("version"), str):
            return _problem(422, "Invalid version", "- version: field required")
        return await self._create(request, body)

    async def _create_by_model(self, request: Request, body: Any) -> Response:
        return await self._create(request, body)

    async def _create(self, request: Request, body: Any) -> Response:
        data = body.get("input") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("tts_text"), str):
            return _problem(422, "Input validation failed", "- input.tts_text: field required")
        with self._lock:
            ident = f"p{next(self._ids):05d}x"
            prediction = Prediction(
                ident,
                data,
                time.monotonic(),
                self.starting_seconds,
                self.processing_seconds,
                self.fail_error,
            )
            self.predictions[ident] = prediction
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        # Prefer: wait holds the answer until the prediction ends, or the wait is over
        ends = prediction.created + prediction.starting + prediction.processing
        held = min(ends, time.monotonic() + _prefer_wait(request.headers.get("prefer", "")))
        # a millisecond past the end: asyncio may fire a timer up to its clock resolution early
        await asyncio.sleep(max(0.0, held - time.monotonic()) + 0.001)
        return JSONResponse(self._report(prediction), status_code=201)

    async def _get(self, request: Request, body: Any) -> Response:
        prediction = self.predictions.get(request.path_params["id"])
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found.")
        return JSONResponse(self._report(prediction))

    async def _cancel(self, request: Request, body: Any) -> Response:
        prediction = self.predictions.get(request.path_params["id"])
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found.")
        if self._status(prediction) not in TERMINAL:
            prediction.canceled = True
        return JSONResponse(self._report(prediction))

    async def _file(self, request: Request, body: Any) -> Response:
        prediction = self.predictions.get(request.path_params["id"])
        if prediction is None or self._status(prediction) != "succeeded":
            return Response("no such file", status_code=404)
        self._settle(prediction)
        text = str(prediction.input["tts_text"])
        speed = float(prediction.input.get("speed", 1.0))
        return Response(tone_wav(len(text), speed), media_type="audio/wav")

    def _status(self, prediction: Prediction) -> str:
        if prediction.canceled:
            return "canceled"
        # the same sums as the end the create call waits for, so no rounding tells them apart
        now = time.monotonic()
        if now < prediction.created + prediction.starting:
            return "starting"
        if now < prediction.created + prediction.starting + prediction.processing:
            return "processing"
        return "failed" if prediction.error else "succeeded"

    def _report(self, prediction: Prediction) -> dict[str, Any]:
        status = self._status(prediction)
        prediction.reported.append(status)
        if status in ("failed", "canceled"):
            self._settle(prediction)
        get = f"{self.url}/v1/predictions/{prediction.id}"
        output = (
            f"http://{self.files_host}:{self._port}/files/{prediction.id}.wav"
            if status == "succeeded"
            else None
        )
        return {
            "id": prediction.id,
            "model": "voxhub/cloner",
            "version": "v1",
            "input": prediction.input,
            "status": status,
            "output": output,
            "error": prediction.error if status == "failed" else None,
            "logs": "",
            "urls": {"get": get, "cancel": f"{get}/cancel"},
        }

    def _settle(self, prediction: Prediction) -> None:
        with self._lock:
            if not prediction.settled:
                prediction.settled = True
                self._in_flight -= 1

    # ---- OpenAI speech

    async def _speech(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or not body.get("model"):
            return _openai_error(400, "you must provide a model parameter")
        text = body.get("input")
        if not isinstance(text, str) or not text:
            return _openai_error(400, "input must be a non-empty string")
        if body.get("voice") not in self.voices:
            return _openai_error(400, f"voice must be one of {', '.join(self.voices)}")
        if body.get("response_format", "mp3") != "wav":
            return _openai_error(400, "this server only answers response_format wav")
        speed = float(body.get("speed", 1.0))
        if not 0.25 <= speed <= 4.0:
            return _openai_error(400, "speed must be between 0.25 and 4.0")
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            await asyncio.sleep(self.processing_seconds)
        finally:
            with self._lock:
                self._in_flight -= 1
        return Response(tone_wav(len(text), speed), media_type="audio/wav")


def _prefer_wait(header: str) -> float:
    """Seconds a `Prefer: wait[=N]` header asks the create call to hold its answer."""
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "wait":
            return float(value) if value else 60.0
    return 0.0


def _problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"title": title, "detail": detail, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _openai_error(status: int, message: str) -> JSONResponse:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return JSONResponse(body, status_code=status)
