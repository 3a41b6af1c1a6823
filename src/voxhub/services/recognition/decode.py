"""Decode threads shared by every real-time stream: finals first, partials when there is room."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from enum import Enum, IntEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# weight of the newest decode time in the running average per engine and kind
_ALPHA = 0.2


class Priority(IntEnum):
    """Lower runs first; jobs of one priority run in the order they came."""

    # final, reset, open and close: a user is waiting for the answer
    FINAL = 0
    # audio a later final needs
    AUDIO = 1
    # rationed, and withdrawn when a final of the same stream comes
    PARTIAL = 2


class DecodeCancelled(Exception):
    """The job was withdrawn before a thread started it."""


class _State(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class DecodeTicket(Generic[T]):
    """A submitted job: await `future` for its result; `cancel()` withdraws it if still queued."""

    def __init__(
        self,
        executor: DecodeExecutor,
        priority: Priority,
        fn: Callable[[], T],
        engine: str,
        kind: str,
    ) -> None:
        self.priority = priority
        self.engine = engine
        self.kind = kind
        self._executor = executor
        self._fn = fn
        self._loop = asyncio.get_running_loop()
        self.future: asyncio.Future[T] = self._loop.create_future()
        # an awaiting task may be cancelled after a shield: never warn of an unread error
        self.future.add_done_callback(_read_exception)
        self.state = _State.QUEUED

    @property
    def started(self) -> bool:
        return self.state is not _State.QUEUED and self.state is not _State.WITHDRAWN

    def cancel(self) -> bool:
        """Withdraw the job; False when a thread already runs (or ran) it."""
        return self._executor._withdraw(self)

    def _run(self) -> tuple[Any, BaseException | None]:
        try:
            return self._fn(), None
        except BaseException as exc:  # delivered to the awaiting task, whatever it is
            return None, exc

    def _resolve(self, result: Any, error: BaseException | None) -> None:
        # the loop may already be closed when a decode outlives the server's shutdown
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(_settle, self.future, result, error)


class DecodeExecutor:
    """A fixed pool of threads in front of a priority queue; owned by the app's lifespan.

    Blocking engine calls (accept, partial, final, ...) run here, never on the event loop.
    The executor also measures each engine's decode time per kind of call, which the partial
    cadence uses to ration partials.
    """

    def __init__(
        self, threads: int, on_decoded: Callable[[str, str, float], None] | None = None
    ) -> None:
        self.threads = max(threads, 1)
        self._on_decoded = on_decoded
        self._heap: list[tuple[int, int, DecodeTicket[Any]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._queued = 0
        self._running = 0
        self._partials_running = 0
        # partials may take every thread but one: a final that comes while partials decode
        # starts at once instead of waiting for a partial (a whole decode) to end
        self.partial_threads = max(self.threads - 1, 1)
        self._closed = False
        self._times: dict[tuple[str, str], float] = {}
        self._workers = [
            threading.Thread(target=self._work, name=f"asr-decode-{i}", daemon=True)
            for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()

    @property
    def queued(self) -> int:
        """Jobs waiting for a thread (the backlog)."""
        with self._cond:
            return self._queued

    @property
    def busy(self) -> int:
        with self._cond:
            return self._running

    def decode_time(self, engine: str, kind: str) -> float:
        """Running average of one call's seconds (0 before the first)."""
        with self._cond:
            return self._times.get((engine, kind), 0.0)

    def submit(
        self, priority: Priority, fn: Callable[[], T], *, engine: str, kind: str
    ) -> DecodeTicket[T]:
        """Queue `fn`; call from the event loop."""
        ticket = DecodeTicket(self, priority, fn, engine, kind)
        with self._cond:
            if self._closed:
                raise RuntimeError("the decode executor is shut down")
            heapq.heappush(self._heap, (int(priority), next(self._order), ticket))
            self._queued += 1
            self._cond.notify()
        return ticket

    async def run(self, priority: Priority, fn: Callable[[], T], *, engine: str, kind: str) -> T:
        """Submit and wait; a cancelled caller withdraws the job if it has not started."""
        ticket = self.submit(priority, fn, engine=engine, kind=kind)
        try:
            return await asyncio.shield(ticket.future)
        except asyncio.CancelledError:
            ticket.cancel()
            raise

    def shutdown(self, wait: float = 5.0) -> None:
        """Withdraw queued jobs and stop the threads (a running decode is waited for)."""
        with self._cond:
            self._closed = True
            pending = [entry[2] for entry in self._heap if entry[2].state is _State.QUEUED]
            self._cond.notify_all()
        for ticket in pending:
            ticket.cancel()
        deadline = time.monotonic() + wait
        for worker in self._workers:
            worker.join(max(deadline - time.monotonic(), 0.0))

    def _ready(self) -> bool:
        """Whether the next job may start now; drops withdrawn jobs from the top. Under the lock."""
        while self._heap and self._heap[0][2].state is not _State.QUEUED:
            heapq.heappop(self._heap)
        if not self._heap:
            return False
        top = self._heap[0][2]
        return top.priority is not Priority.PARTIAL or self._partials_running < self.partial_threads

    def _withdraw(self, ticket: DecodeTicket[Any]) -> bool:
        with self._cond:
            if ticket.state is not _State.QUEUED:
                return False
            ticket.state = _State.WITHDRAWN
            self._queued -= 1
        ticket._resolve(None, DecodeCancelled())
        return True

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._ready():
                    self._cond.wait()
                if not self._ready():
                    return  # closed, with nothing left that may run
                ticket = heapq.heappop(self._heap)[2]
                ticket.state = _State.RUNNING
                self._queued -= 1
                self._running += 1
                partial = ticket.priority is Priority.PARTIAL
                self._partials_running += partial
            started = time.perf_counter()
            result, error = ticket._run()
            elapsed = time.perf_counter() - started
            with self._cond:
                key = (ticket.engine, ticket.kind)
                previous = self._times.get(key)
                self._times[key] = (
                    elapsed if previous is None else (1 - _ALPHA) * previous + _ALPHA * elapsed
                )
                self._running -= 1
                self._partials_running -= partial
                ticket.state = _State.DONE
                # a thread holding back for a partial may take it now
                self._cond.notify_all()
            if self._on_decoded is not None:
                self._on_decoded(ticket.engine, ticket.kind, elapsed)
            ticket._resolve(result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _read_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
