"""Replicate-style predictions: create one, poll it until it ends, download its output."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from voxhub.engines.tts.options import RemoteEngineOptions
from voxhub.engines.tts.remote.request import SpeechRequest, data_uri, data_uri_bytes
from voxhub.engines.tts.remote.transport import RemoteHttp
from voxhub.errors import EngineUnavailable, RemoteTimeout

log = logging.getLogger("voxhub.engines.remote")

_TERMINAL = frozenset({"succeeded", "failed", "canceled"})
# prediction ids go into URL paths: accept only what Replicate hands out
_PREDICTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class ReplicateClient:
    """Speaks through a prediction of one model (by version, or by `owner/name`)."""

    def __init__(
        self,
        http: RemoteHttp,
        options: RemoteEngineOptions,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._options = options
        self._clock = clock
        self._sleep = sleep

    def speak(self, request: SpeechRequest) -> list[bytes]:
        deadline = self._clock() + self._options.prediction_timeout
        prediction = self._create(request)
        prediction = self._until_done(prediction, deadline)
        return [self._download(location) for location in _output_locations(prediction)]

    def input_for(self, request: SpeechRequest) -> dict[str, Any]:
        """The model input: only the values a field is named for, and only those given."""
        params = request.params
        reference = request.reference
        values: dict[str, Any] = {
            "text": request.text,
            "language": request.language,
            "voice": request.voice_name if reference is None else None,
            "audio": data_uri(reference.audio, reference.media_type) if reference else None,
            "transcript": reference.transcript if reference else None,
            "instruction": params.instruction or None,
            "task": self._task(request),
            "speed": params.speed if params.speed != 1.0 else None,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "top_k": params.top_k,
        }
        named = {self._options.input_name(key): value for key, value in values.items()}
        return {name: value for name, value in named.items() if name and value is not None}

    def _task(self, request: SpeechRequest) -> str | None:
        # the reference cloning model picks its mode from `task`
        if request.params.instruction:
            return self._options.instruct_task or None
        if request.reference is not None:
            return self._options.clone_task or None
        return None

    def _create(self, request: SpeechRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"input": self.input_for(request)}
        if self._options.version:
            path = "/v1/predictions"
            body["version"] = self._options.version
        else:
            path = f"/v1/models/{self._options.model}/predictions"
        headers = {"Prefer": f"wait={self._options.wait}"} if self._options.wait else {}
        response = self._http.request(
            "POST", path, "creating a prediction", json=body, headers=headers
        )
        prediction = _prediction(response.json())
        log.info("remote prediction %s created (%s)", prediction["id"], prediction["status"])
        return prediction

    def _until_done(self, prediction: dict[str, Any], deadline: float) -> dict[str, Any]:
        ident = prediction["id"]
        while prediction["status"] not in _TERMINAL:
            remaining = deadline - self._clock()
            if remaining <= 0:
                self._cancel(ident)
                raise RemoteTimeout(
                    f"The remote prediction {ident} did not finish within "
                    f"{self._options.prediction_timeout:g} s and was cancelled; retry later or "
                    "raise VOXHUB_ENGINES__REMOTE__PREDICTION_TIMEOUT."
                )
            self._sleep(min(self._options.poll_interval, remaining))
            response = self._http.request(
                "GET", f"/v1/predictions/{ident}", f"polling prediction {ident}"
            )
            prediction = _prediction(response.json())
        if prediction["status"] == "failed":
            error = prediction.get("error") or "no error message"
            raise EngineUnavailable(f"The remote prediction {ident} failed: {error}")
        if prediction["status"] == "canceled":
            raise EngineUnavailable(f"The remote prediction {ident} was canceled before it ended.")
        return prediction

    def _cancel(self, ident: str) -> None:
        """Stop paying for a prediction nobody waits for; best effort, one attempt."""
        try:
            self._http.request(
                "POST", f"/v1/predictions/{ident}/cancel", f"cancelling {ident}", retries=0
            )
        except EngineUnavailable as exc:
            log.warning("could not cancel remote prediction %s: %s", ident, exc.message)

    def _download(self, location: str) -> bytes:
        if location.startswith("data:"):
            return data_uri_bytes(location)
        response = self._http.request("GET", location, "downloading the prediction's output")
        return response.content


def _prediction(body: Any) -> dict[str, Any]:
    """A prediction object, checked enough that its fields can be used."""
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise EngineUnavailable("The remote service answered with something not a prediction.")
    ident = body.get("id")
    if not isinstance(ident, str) or not _PREDICTION_ID.match(ident):
        raise EngineUnavailable(f"The remote service gave a prediction an unusable id {ident!r}.")
    return body


def _output_locations(prediction: dict[str, Any]) -> list[str]:
    """The output's file URLs: one string, a list of them, or an object holding one."""
    output = prediction.get("output")
    if isinstance(output, dict):
        output = next((v for v in output.values() if isinstance(v, str)), None)
    found = [output] if isinstance(output, str) else output
    if not found or not isinstance(found, list) or not all(isinstance(u, str) for u in found):
        raise EngineUnavailable(
            f"The remote prediction {prediction['id']} succeeded without an audio file in its "
            f"output ({type(output).__name__}); is the configured model a speech model?"
        )
    return [str(u) for u in found]
