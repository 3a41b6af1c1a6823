"""One callback attempt over HTTP: redirects followed by hand, each hop checked and pinned."""

from __future__ import annotations

import logging
import time
from urllib.parse import urljoin

import httpx

from voxhub.db.repositories.webhooks import Outcome
from voxhub.errors import CallbackUrlRefused
from voxhub.services.webhooks.pinned import send_pinned
from voxhub.services.webhooks.ssrf import CallbackPolicy, Destination

log = logging.getLogger("voxhub.webhooks")

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Sender:
    """POSTs a body; 2xx is delivered. A redirect repeats the same POST at its Location
    (at most MAX_REDIRECTS times), after the same address check as the first URL."""

    def __init__(self, policy: CallbackPolicy, timeout: float) -> None:
        self._policy = policy
        self._timeout = timeout

    @property
    def time_limit(self) -> float:
        """Longest an attempt can take: connect and answer on every hop, plus slack."""
        return 2 * self._timeout * (MAX_REDIRECTS + 1) + 10.0

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        started = time.monotonic()

        def outcome(status: int | None, error: str | None, final: bool = False) -> Outcome:
            elapsed = round((time.monotonic() - started) * 1000)
            return Outcome(status, error, elapsed, final)

        # the environment's proxies would resolve names themselves, defeating the check
        with httpx.Client(timeout=self._timeout, trust_env=False) as client:
            current, label = url, "callback_url"
            for _ in range(MAX_REDIRECTS + 1):
                try:
                    destination = self._policy.destination(current, label)
                except CallbackUrlRefused as exc:
                    return outcome(None, exc.message, final=True)
                except (OSError, UnicodeError) as exc:
                    return outcome(None, f"{current}: its host could not be resolved ({exc})")
                try:
                    status, location = _post(client, destination, body, headers)
                except httpx.TimeoutException as exc:
                    error = f"no answer within {self._timeout:g} s ({type(exc).__name__})"
                    return outcome(None, error)
                except httpx.HTTPError as exc:
                    return outcome(None, f"{type(exc).__name__}: {exc}")
                except Exception as exc:  # recorded like any failure instead of a lost lease
                    log.exception("webhook POST to %s failed unexpectedly", current)
                    return outcome(None, f"{type(exc).__name__}: {exc}")
                if status not in _REDIRECTS or not location:
                    problem = None if 200 <= status < 300 else f"answered HTTP {status}"
                    return outcome(status, problem)
                current, label = urljoin(current, location), "redirect to"
            return outcome(status, f"more than {MAX_REDIRECTS} redirects; last to {current}")


def _post(
    client: httpx.Client, destination: Destination, body: bytes, headers: dict[str, str]
) -> tuple[int, str | None]:
    """POST to the checked addresses; (status, Location)."""
    response = send_pinned(client, "POST", destination, body, headers)
    # the answer's body is of no use; closing without reading it bounds the attempt
    response.close()
    return response.status_code, response.headers.get("location")
