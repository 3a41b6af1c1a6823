"""Admission of real-time recognition connections up to `max_connections`, with a retry hint."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from voxhub.errors import Overloaded
from voxhub.services.recognition.stats import ASRStreamStats

# the retry hint before any connection has ended, and its bounds, in seconds
_FIRST_RETRY = 5
_MIN_RETRY = 1
_MAX_RETRY = 60
# weight of the newest connection lifetime in the running average
_ALPHA = 0.2


@dataclass(eq=False)
class ConnectionTicket:
    """One admitted connection; give it back with `ConnectionLimiter.release`."""

    id: str
    opened: float = field(default_factory=time.monotonic)
    released: bool = False


class ConnectionLimiter:
    """Counts connections on the event loop (no lock needed): admit or refuse at once.

    The retry hint is how long, on average, until one of the open connections ends: the mean
    connection lifetime divided by the connections open.
    """

    def __init__(self, max_connections: int, stats: ASRStreamStats) -> None:
        self.max_connections = max_connections
        self._stats = stats
        self._open: dict[str, ConnectionTicket] = {}
        self._lifetime: float | None = None
        self._next_id = 0

    @property
    def active(self) -> int:
        return len(self._open)

    def admit(self) -> ConnectionTicket:
        if len(self._open) >= self.max_connections:
            self._stats.connection_rejected()
            retry = self.retry_after()
            raise Overloaded(
                f"All {self.max_connections} speech recognition connections are in use; "
                f"retry in {retry} s.",
                retry_after=retry,
            )
        self._next_id += 1
        ticket = ConnectionTicket(id=f"c{self._next_id}")
        self._open[ticket.id] = ticket
        self._stats.connection_opened()
        return ticket

    def release(self, ticket: ConnectionTicket) -> None:
        if ticket.released:
            return
        ticket.released = True
        del self._open[ticket.id]
        lifetime = time.monotonic() - ticket.opened
        self._lifetime = (
            lifetime
            if self._lifetime is None
            else (1 - _ALPHA) * self._lifetime + _ALPHA * lifetime
        )
        self._stats.connection_closed()

    def retry_after(self) -> int:
        if self._lifetime is None:
            return _FIRST_RETRY
        estimate = math.ceil(self._lifetime / max(len(self._open), 1))
        return min(max(estimate, _MIN_RETRY), _MAX_RETRY)
