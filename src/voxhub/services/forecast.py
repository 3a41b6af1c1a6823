"""When online syntheses will finish: learned work per character and a processor-sharing
forecast over what runs and waits."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# speech per character relative to a Latin letter: a Chinese character is a syllable, about
# four letters of English speech (kokoro: 100 zh characters ≈ 24 s, 100 en ≈ 6 s)
_SPEECH_PER_CHAR = {"zh": 4.0}
# a synthesis that has run past its forecast is assumed to have this share of it left
_OVERRUN_LEFT = 0.25
# a forecast end is trusted to within this factor: syntheses sharing the cores do not get
# exactly equal shares, and a text's work varies around its language's rate
MARGIN = 1.15


def _weight(language: str) -> float:
    return _SPEECH_PER_CHAR.get(language, 1.0)


class SecondsPerChar:
    """Seconds of the machine's undivided work per character, per engine and language,
    seeded from settings and updated by every synthesis.

    Languages are apart because a Chinese character carries several times the speech of a
    Latin letter; a language not seen yet is scaled from the engine's other figure.
    """

    def __init__(self, initial: float, weight: float = 0.2) -> None:
        self._initial = initial
        self._weight = weight
        self._values: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def get(self, engine: str, language: str = "") -> float:
        with self._lock:
            found = self._values.get((engine, language))
            if found is not None:
                return found
            for (known_engine, known_language), value in self._values.items():
                if known_engine == engine:
                    return value * _weight(language) / _weight(known_language)
            return self._initial

    def observe(self, engine: str, seconds: float, characters: int, language: str = "") -> None:
        if characters <= 0 or seconds <= 0:
            return
        sample = seconds / characters
        key = (engine, language)
        with self._lock:
            old = self._values.get(key)
            self._values[key] = sample if old is None else old + self._weight * (sample - old)


class ServiceClock:
    """Work each running synthesis has received, when the running ones share the machine.

    With n syntheses running, each advances at 1/n of the machine's pace (their threads
    share the cores), so a synthesis's own work is the integral of 1/n over its run, not its
    wall time: learning from wall time would count the neighbours' work as its own.
    """

    def __init__(self, now: float) -> None:
        self._at = now
        self._service = 0.0
        self.running = 0

    def read(self, now: float) -> float:
        """Work one synthesis running since the start would have received by `now`."""
        if self.running and now > self._at:
            return self._service + (now - self._at) / self.running
        return self._service

    def change(self, now: float, running: int) -> None:
        self._service = self.read(now)
        self._at = max(now, self._at)
        self.running = running


@dataclass(frozen=True, slots=True)
class Planned:
    """A synthesis in the forecast: its class, its work still to do, and the seconds from
    now to its deadline."""

    name: str
    work: float
    deadline: float = math.inf


@dataclass(frozen=True, slots=True)
class Outlook:
    """Seconds from now at which each running synthesis ends, and each waiting one starts
    and ends (infinite for a waiter whose class has no slot)."""

    running: list[float]
    waiting: list[tuple[float, float]]

    @property
    def ends(self) -> list[float]:
        """End of every synthesis: the running ones first, then the waiting ones."""
        return self.running + [end for _, end in self.waiting]

    def late(self, running: Sequence[Planned], waiting: Sequence[Planned]) -> set[int]:
        """Positions in `ends` of the syntheses forecast to end past their deadlines."""
        jobs = [*running, *waiting]
        return {i for i, end in enumerate(self.ends) if end * MARGIN > jobs[i].deadline}


def remaining(predicted: float, done: float) -> float:
    """Work left of a running synthesis forecast at `predicted` that has received `done`."""
    return max(predicted - done, predicted * _OVERRUN_LEFT)


def forecast(
    running: Sequence[Planned], waiting: Sequence[Planned], limits: Mapping[str, int]
) -> Outlook:
    """When everything running and waiting ends, if nothing else arrives.

    Waiters take free slots of their class in the order given (a waiter whose class is full
    lets later ones of another class pass, as the admission does); with n syntheses running,
    each advances at 1/n of the machine's pace.
    """
    jobs = [*running, *waiting]
    first_waiter = len(running)
    starts = [0.0] * first_waiter + [math.inf] * len(waiting)
    ends = [math.inf] * len(jobs)
    # (position in jobs, work left)
    active = [(i, job.work) for i, job in enumerate(running)]
    counts: dict[str, int] = {}
    for job in running:
        counts[job.name] = counts.get(job.name, 0) + 1
    pending = list(range(first_waiter, len(jobs)))
    now = 0.0
    while True:
        for i in list(pending):
            name = jobs[i].name
            if counts.get(name, 0) < limits.get(name, 0):
                counts[name] = counts.get(name, 0) + 1
                active.append((i, jobs[i].work))
                starts[i] = now
                pending.remove(i)
        if not active:
            break
        step = min(work for _, work in active)
        now += step * len(active)
        left: list[tuple[int, float]] = []
        for i, work in active:
            if work - step > 1e-9:
                left.append((i, work - step))
            else:
                counts[jobs[i].name] -= 1
                ends[i] = now
        active = left
    return Outlook(
        running=ends[:first_waiter],
        waiting=list(zip(starts[first_waiter:], ends[first_waiter:], strict=True)),
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a newcomer fits: its forecast start and end, and when it is refused, the
    seconds after which asking again may succeed and how many admitted ones it would make
    late."""

    wait: float
    end: float
    retry_in: float | None = None
    harms: int = 0


def judge(
    running: Sequence[Planned],
    waiting: Sequence[Planned],
    position: int,
    limits: Mapping[str, int],
) -> Verdict:
    """Whether the newcomer `waiting[position]` ends by its deadline without pushing any
    synthesis that would have ended by its own past it: syntheses share the machine, so
    one admitted now slows every one already admitted."""
    outlook = forecast(running, waiting, limits)
    wait, end = outlook.waiting[position]
    deadline = waiting[position].deadline
    if end * MARGIN > deadline:
        # by then the work ahead has shrunk by that much, and the text fits
        return Verdict(wait, end, end * MARGIN - deadline)
    others = [*waiting[:position], *waiting[position + 1 :]]
    before = forecast(running, others, limits)
    late_anyway = before.late(running, others)
    newcomer = len(running) + position
    harmed = [
        i if i < newcomer else i - 1
        for i in outlook.late(running, waiting)
        if i != newcomer and (i if i < newcomer else i - 1) not in late_anyway
    ]
    if not harmed:
        return Verdict(wait, end)
    # the answer changes only when a synthesis ends: ask again then (a refusal costs
    # milliseconds, an idle core does not come back)
    return Verdict(wait, end, min(before.ends), len(harmed))
