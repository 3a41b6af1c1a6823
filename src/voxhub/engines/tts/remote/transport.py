"""HTTP calls of the remote engine: bearer auth, timeouts, retries with backoff, clear errors."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from voxhub.engines.tts.options import RemoteEngineOptions
from voxhub.errors import EngineUnavailable

log = logging.getLogger("voxhub.engines.remote")

# statuses worth another attempt: the service is overloaded or failed on its side
_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_DETAIL_CHARS = 300


def service_root(base_url: str) -> str:
    """The service's root URL; OpenAI-style settings often end in /v1, the paths add it."""
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


class RemoteHttp:
    """One connection pool to the service, shared by every synthesis thread (httpx is
    thread-safe). Each call is retried on connection errors, 5xx and 429."""

    def __init__(
        self,
        options: RemoteEngineOptions,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._options = options
        self._root = service_root(options.base_url)
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            limits=httpx.Limits(max_connections=max(10, 2 * options.max_concurrency)),
            transport=transport,
            follow_redirects=True,
        )

    @property
    def root(self) -> str:
        return self._root

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        """An absolute URL of the service for `path`, or `path` itself when already absolute."""
        return urljoin(self._root + "/", path.lstrip("/")) if "://" not in path else path

    def request(
        self,
        method: str,
        path: str,
        what: str,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
    ) -> httpx.Response:
        """Send with retries; returns a 2xx response or raises EngineUnavailable.

        `what` names the call in error messages ("creating a prediction"). The token goes
        only to the service's own origin, never to another host an output URL points at.
        """
        url = self.url(path)
        sent = dict(headers or {})
        if self._options.token and self._same_origin(url):
            sent["Authorization"] = f"Bearer {self._options.token}"
        limit = self._options.max_retries if retries is None else retries
        attempt = 0
        while True:
            try:
                response = self._client.request(method, url, json=json, headers=sent)
            except httpx.TransportError as exc:
                if attempt >= limit:
                    raise EngineUnavailable(
                        f"Cannot reach the remote synthesis service at {self._root} while "
                        f"{what} ({type(exc).__name__}: {exc}) after {attempt + 1} attempts; "
                        "check VOXHUB_ENGINES__REMOTE__BASE_URL or retry later."
                    ) from exc
                delay = self._backoff(attempt)
                log.warning("remote %s failed (%s); retrying in %.2f s", what, exc, delay)
            else:
                if response.is_success:
                    return response
                if response.status_code not in _RETRYABLE:
                    raise _refused(response, what)
                if attempt >= limit:
                    raise EngineUnavailable(
                        f"The remote synthesis service answered {response.status_code} while "
                        f"{what}, {attempt + 1} times: {_detail(response)}. Retry later."
                    )
                delay = max(self._backoff(attempt), self._retry_after(response))
                log.warning(
                    "remote %s answered %d; retrying in %.2f s", what, response.status_code, delay
                )
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return float(min(self._options.retry_max, self._options.retry_initial * 2**attempt))

    def _retry_after(self, response: httpx.Response) -> float:
        """Seconds the service asks to wait (delta or HTTP date), capped by retry_max."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return 0.0
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return 0.0
            seconds = (when - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self._options.retry_max)

    def _same_origin(self, url: str) -> bool:
        ours, theirs = urlsplit(self._root), urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)


def _refused(response: httpx.Response, what: str) -> EngineUnavailable:
    """The error for a 4xx the service will answer again if asked again."""
    status = response.status_code
    if status in (401, 403):
        return EngineUnavailable(
            f"The remote synthesis service refused its credentials ({status}) while {what}: "
            f"{_detail(response)}. Check VOXHUB_ENGINES__REMOTE__TOKEN."
        )
    if status == 404:
        return EngineUnavailable(
            f"The remote synthesis service has no {response.request.url.path} (404) while "
            f"{what}: {_detail(response)}. Check VOXHUB_ENGINES__REMOTE__BASE_URL and "
            "VOXHUB_ENGINES__REMOTE__MODEL."
        )
    return EngineUnavailable(
        f"The remote synthesis service rejected the request ({status}) while {what}: "
        f"{_detail(response)}."
    )


def _detail(response: httpx.Response) -> str:
    """The service's own explanation: Replicate's `detail`, OpenAI's `error.message`, or text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:_DETAIL_CHARS]
        for key in ("detail", "error", "message", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:_DETAIL_CHARS]
    text = response.text.strip()
    return text[:_DETAIL_CHARS] if text else response.reason_phrase or "no explanation given"
