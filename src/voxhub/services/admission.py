"""Admission control for online synthesis: length classes, bounded queues, dynamic deadlines."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from voxhub.errors import DeadlineExceeded, Overloaded
from voxhub.services.forecast import (
    Planned,
    SecondsPerChar,
    ServiceClock,
    Verdict,
    forecast,
    judge,
    remaining,
)
from voxhub.settings import AdmissionSettings

SHORT, LONG = "short", "long"


@dataclass
class ClassStats:
    limit: int
    queue_limit: int
    active: int = 0
    queued: int = 0
    total: int = 0
    rejected: int = 0
    timed_out: int = 0
    # of `rejected`: refused at arrival because the forecast said the deadline would pass
    forecast_rejected: int = 0
    # requests admitted on a forecast that they would finish in time, that did not (408s)
    prediction_misses: int = 0

    @property
    def available(self) -> int:
        return max(self.limit - self.active, 0)


@dataclass(order=True)
class _Waiter:
    # short requests first, then arrival order
    rank: int
    order: int
    name: str = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)
    # forecast work of its synthesis, in seconds of the undivided machine, and its deadline
    predicted: float = field(compare=False)
    deadline: float = field(compare=False)


@dataclass
class _Running:
    name: str
    # forecast work, the service clock's reading when it started, and its deadline
    predicted: float
    started: float
    deadline: float


class Ticket:
    """An admitted request: its class, its deadline, and a flag to stop its inference."""

    def __init__(
        self, admission: Admission, name: str, token: int, deadline: float, timeout: float
    ) -> None:
        self._admission = admission
        self.name = name
        self.token = token
        self.deadline = deadline
        self.timeout = timeout
        self.cancelled = threading.Event()
        self._released = False
        # work its synthesis received while it held the slot, once released
        self.work: float | None = None

    def remaining(self) -> float:
        return max(self.deadline - self._admission.now(), 0.0)

    def release(self) -> None:
        if not self._released:
            self._released = True
            self.work = self._admission._release(self.name, self.token)


class Admission:
    """Per-class concurrency limits with bounded, prioritized waiting (event-loop side only).

    Built inside the app's lifespan: it holds futures of the running loop.
    """

    def __init__(
        self,
        settings: AdmissionSettings,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, ClassStats], None] | None = None,
    ):
        self._settings = settings
        self._clock = clock
        # told after every change of a class's figures (metrics follow them)
        self._on_change = on_change
        self.stats = {
            SHORT: ClassStats(settings.short_concurrency, settings.short_queue),
            LONG: ClassStats(settings.long_concurrency, settings.long_queue),
        }
        self._waiters: list[_Waiter] = []
        self._order = itertools.count()
        # every synthesis holding a slot, by ticket token
        self._running: dict[int, _Running] = {}
        self._service = ServiceClock(clock())
        self.rate = SecondsPerChar(settings.seconds_per_char)
        # completions per second, for Retry-After
        self._finished: list[float] = []

    def now(self) -> float:
        return self._clock()

    @property
    def settings(self) -> AdmissionSettings:
        return self._settings

    def class_of(self, characters: int) -> str:
        return SHORT if characters <= self._settings.threshold else LONG

    def timeout_for(self, engine: str, characters: int, language: str = "") -> float:
        """Predicted synthesis time x safety factor + buffer, clamped by the length's bounds."""
        s = self._settings
        predicted = self.rate.get(engine, language) * characters * s.safety_factor + s.buffer
        if characters <= s.short_text_chars:
            upper = s.short_timeout
        elif characters <= s.threshold:
            upper = s.medium_timeout
        else:
            upper = s.long_timeout
        return float(min(max(predicted, s.min_timeout), upper))

    def precheck(self, characters: int) -> None:
        """Refuse at once, before any validation work, when the class's queue is full.

        Under overload most requests are refused; doing it here keeps their cost to a few
        microseconds on the event loop, so they do not slow the admitted ones down.
        """
        name = self.class_of(characters)
        stats = self.stats[name]
        if stats.active >= stats.limit and stats.queued >= stats.queue_limit:
            raise self._reject(name)

    async def admit(self, engine: str, characters: int, language: str = "") -> Ticket:
        """A slot now, or after a bounded wait; raises Overloaded or DeadlineExceeded.

        A request is refused at once (429) when the forecast says it would not finish within
        its deadline: the syntheses running and queued ahead of it share the machine with
        it, each forecast from the learned rate. Work is then never started only to be
        thrown away at the deadline; a 408 after admission means the forecast was wrong, and
        is counted as a prediction miss.
        """
        name = self.class_of(characters)
        stats = self.stats[name]
        timeout = self.timeout_for(engine, characters, language)
        deadline = self._clock() + timeout
        work = self.rate.get(engine, language) * characters
        immediate = stats.active < stats.limit and not self._queued(name)
        if not immediate and stats.queued >= stats.queue_limit:
            raise self._reject(name)
        self._refuse_if_late(name, work, timeout)
        if immediate:
            return self._grant(name, next(self._order), work, deadline, timeout)
        waiter = _Waiter(
            0 if name == SHORT else 1,
            next(self._order),
            name,
            asyncio.get_running_loop().create_future(),
            work,
            deadline,
        )
        heapq.heappush(self._waiters, waiter)
        stats.queued += 1
        self._changed(name)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except TimeoutError:
            if waiter.future.done():
                # granted at the last moment: hand the slot on rather than leak it
                self._release(name, waiter.order)
            else:
                waiter.future.cancel()
                self._drop(waiter)
            self._missed(name)
            raise DeadlineExceeded(
                f"Waited {timeout:.0f} s for a free {name}-text slot without getting one; "
                "the server is busy, try again later.",
                timeout=timeout,
            ) from None
        except BaseException:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release(name, waiter.order)
            else:
                waiter.future.cancel()
                self._drop(waiter)
            raise
        # a request that cannot finish in the time it has left would only waste the slot
        left = deadline - self._clock()
        needed = self._forecast_running(waiter.order)
        if left < needed:
            self._release(name, waiter.order, finished=False)
            self._missed(name)
            raise DeadlineExceeded(
                f"Waited {timeout - left:.0f} s for a free {name}-text slot; the "
                f"{left:.0f} s left of the {timeout:.0f} s deadline are too few for this "
                "text. The server is busy: try again later.",
                timeout=timeout,
            )
        return Ticket(self, name, waiter.order, deadline, timeout)

    def forecast(self, name: str, work: float = 0.0) -> tuple[float, float]:
        """(wait, end), seconds from now, of a request arriving now in class `name` whose
        synthesis is `work` seconds of the undivided machine, if nothing else arrives."""
        running, waiting, position = self._plan(Planned(name, work))
        return forecast(running, waiting, self._limits()).waiting[position]

    def forecast_wait(self, name: str) -> float:
        """Seconds until a request arriving now in class `name` would get a slot."""
        return self.forecast(name)[0]

    def _refuse_if_late(self, name: str, work: float, timeout: float) -> None:
        """Raise Overloaded when the request would end past its deadline, or would push a
        running or waiting synthesis past its own."""
        running, waiting, position = self._plan(Planned(name, work, timeout))
        verdict = judge(running, waiting, position, self._limits())
        if verdict.retry_in is not None:
            raise self._reject_forecast(name, verdict, timeout)

    def _plan(self, newcomer: Planned) -> tuple[list[Planned], list[Planned], int]:
        """What runs now, the queue with `newcomer` where it would join, and its place."""
        now = self._clock()
        running = self._running_now(now)
        rank = 0 if newcomer.name == SHORT else 1
        queued = sorted(w for w in self._waiters if not w.future.done())
        ahead = [Planned(w.name, w.predicted, w.deadline - now) for w in queued if w.rank <= rank]
        behind = [Planned(w.name, w.predicted, w.deadline - now) for w in queued if w.rank > rank]
        return running, [*ahead, newcomer, *behind], len(ahead)

    def observe(self, ticket: Ticket, engine: str, characters: int, language: str = "") -> None:
        """Learn the rate from a synthesis that finished in its slot."""
        work = ticket.work
        if work is None:
            running = self._running.get(ticket.token)
            if running is None:
                return
            work = self._service.read(self._clock()) - running.started
        self.rate.observe(engine, work, characters, language)

    def timed_out(self, ticket: Ticket) -> None:
        """An admitted request passed its deadline while synthesizing."""
        self._missed(ticket.name)

    def _missed(self, name: str) -> None:
        stats = self.stats[name]
        stats.timed_out += 1
        stats.prediction_misses += 1
        self._changed(name)

    def _reject(self, name: str) -> Overloaded:
        stats = self.stats[name]
        stats.rejected += 1
        self._changed(name)
        return Overloaded(
            f"The server is at capacity for {name} texts ({stats.active} running, "
            f"{stats.queued} waiting); retry after the time in Retry-After.",
            retry_after=self._retry_after(name),
        )

    def _reject_forecast(self, name: str, verdict: Verdict, timeout: float) -> Overloaded:
        stats = self.stats[name]
        stats.rejected += 1
        stats.forecast_rejected += 1
        self._changed(name)
        if verdict.harms:
            reason = (
                f"starting it now would push {verdict.harms} admitted request(s) past their "
                "deadlines"
            )
        else:
            reason = (
                f"this one would wait about {verdict.wait:.0f} s for a slot and take about "
                f"{verdict.end - verdict.wait:.0f} s, past its {timeout:.0f} s deadline"
            )
        return Overloaded(
            f"The server is busy with {name} texts: {reason}. Retry after the time in "
            "Retry-After, or submit it as a job (POST /v1/tts/jobs).",
            retry_after=max(1, math.ceil(verdict.retry_in or 0.0)),
        )

    def _changed(self, name: str) -> None:
        if self._on_change is not None:
            self._on_change(name, self.stats[name])

    def _queued(self, name: str) -> bool:
        return any(w.name == name and not w.future.done() for w in self._waiters)

    def _grant(self, name: str, token: int, work: float, deadline: float, timeout: float) -> Ticket:
        stats = self.stats[name]
        stats.active += 1
        stats.total += 1
        self._start(name, token, work, deadline)
        self._changed(name)
        return Ticket(self, name, token, deadline, timeout)

    def _start(self, name: str, token: int, work: float, deadline: float) -> None:
        now = self._clock()
        self._service.change(now, len(self._running) + 1)
        self._running[token] = _Running(name, work, self._service.read(now), deadline)

    def _forecast_running(self, token: int) -> float:
        """Seconds the running synthesis `token` is forecast to take from now."""
        jobs = self._running_now(self._clock(), leave_out=token)
        own = self._running[token]
        # it holds its slot already: the class limit does not apply to it
        slots = {own.name: len(self._running)}
        return forecast(jobs, [Planned(own.name, own.predicted)], slots).waiting[0][1]

    def _running_now(self, now: float, leave_out: int | None = None) -> list[Planned]:
        """Every synthesis holding a slot: its work left and the seconds to its deadline."""
        done = self._service.read(now)
        return [
            Planned(job.name, remaining(job.predicted, done - job.started), job.deadline - now)
            for token, job in self._running.items()
            if token != leave_out
        ]

    def _limits(self) -> dict[str, int]:
        return {name: stats.limit for name, stats in self.stats.items()}

    def _drop(self, waiter: _Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
            heapq.heapify(self._waiters)
            self.stats[waiter.name].queued -= 1
            self._changed(waiter.name)

    def _release(self, name: str, token: int, finished: bool = True) -> float | None:
        """Free a slot; `finished` when a synthesis ended in it (the rate Retry-After uses).

        Returns the work the synthesis received while it held the slot.
        """
        self.stats[name].active -= 1
        now = self._clock()
        job = self._running.pop(token, None)
        work = None if job is None else self._service.read(now) - job.started
        self._service.change(now, len(self._running))
        self._changed(name)
        if finished:
            self._finished.append(now)
            self._finished = [t for t in self._finished if now - t < 60.0]
        self._wake()
        return work

    def _wake(self) -> None:
        """Hand free slots to waiters, short texts first."""
        skipped: list[_Waiter] = []
        while self._waiters:
            waiter = heapq.heappop(self._waiters)
            stats = self.stats[waiter.name]
            if waiter.future.done():
                continue
            if stats.active >= stats.limit:
                skipped.append(waiter)
                continue
            stats.queued -= 1
            stats.active += 1
            stats.total += 1
            self._start(waiter.name, waiter.order, waiter.predicted, waiter.deadline)
            self._changed(waiter.name)
            waiter.future.set_result(None)
        for waiter in skipped:
            heapq.heappush(self._waiters, waiter)

    def _retry_after(self, name: str) -> int:
        """Seconds until a queue place is likely free: the mean gap between completions.

        A place frees at the next completion, when the head of the queue takes the slot.
        Asking for more leaves slots idle while refused clients wait; asking for less only
        costs a cheap refusal.
        """
        now = self._clock()
        recent = [t for t in self._finished if now - t < 60.0]
        if len(recent) >= 2:
            rate = len(recent) / max(now - recent[0], 1e-3)
            return max(1, math.ceil(1.0 / rate))
        return max(1, math.ceil(self._settings.seconds_per_char * self._settings.threshold))
