"""Admission control: class limits, bounded queues, short-first, deadlines, Retry-After."""

from __future__ import annotations

import asyncio

import pytest

from voxhub.errors import DeadlineExceeded, Overloaded
from voxhub.services.admission import LONG, SHORT, Admission
from voxhub.settings import AdmissionSettings


def _admission(**overrides: float) -> Admission:
    values: dict[str, float] = {
        "short_concurrency": 2,
        "long_concurrency": 1,
        "short_queue": 2,
        "long_queue": 1,
        "min_timeout": 0.3,
        "seconds_per_char": 0.001,
        "buffer": 0.0,
    }
    return Admission(AdmissionSettings.model_validate(values | overrides))


async def test_limits_queue_and_reject_per_class() -> None:
    admission = _admission()
    held = [await admission.admit("e", 10) for _ in range(2)]
    waiting = [asyncio.ensure_future(admission.admit("e", 10)) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as rejected:
        await admission.admit("e", 10)
    assert rejected.value.retry_after >= 1
    stats = admission.stats[SHORT]
    assert (stats.active, stats.queued, stats.rejected, stats.available) == (2, 2, 1, 0)
    # the long class has its own slot: a saturated short class does not block it
    long_ticket = await admission.admit("e", 500)
    assert admission.stats[LONG].active == 1
    held[0].release()
    first = await waiting[0]
    assert stats.active == 2 and stats.queued == 1
    for ticket in [held[1], first, long_ticket]:
        ticket.release()
    (await waiting[1]).release()
    assert (stats.active, stats.queued, stats.total) == (0, 0, 4)


async def test_waiting_past_the_deadline_is_a_timeout() -> None:
    admission = _admission()
    held = [await admission.admit("e", 10) for _ in range(2)]
    with pytest.raises(DeadlineExceeded):
        await admission.admit("e", 10)
    assert admission.stats[SHORT].timed_out == 1 and admission.stats[SHORT].queued == 0
    for ticket in held:
        ticket.release()
    assert admission.stats[SHORT].active == 0


async def test_release_wakes_short_waiters_before_long_ones() -> None:
    admission = _admission(long_concurrency=2, short_concurrency=2, buffer=5)
    # fill both classes, then queue one long and one short request
    held = [await admission.admit("e", 10) for _ in range(2)]
    held += [await admission.admit("e", 500) for _ in range(2)]
    order: list[str] = []

    async def wait(chars: int, name: str) -> None:
        ticket = await admission.admit("e", chars)
        order.append(name)
        ticket.release()

    tasks = [asyncio.ensure_future(wait(500, "long")), asyncio.ensure_future(wait(10, "short"))]
    await asyncio.sleep(0)
    for ticket in held:
        ticket.release()
    await asyncio.gather(*tasks)
    assert order == ["short", "long"]


def test_timeout_follows_the_learned_rate_within_bounds() -> None:
    admission = Admission(
        AdmissionSettings(
            seconds_per_char=0.1, safety_factor=2, buffer=5, min_timeout=10, short_timeout=20
        )
    )
    assert admission.timeout_for("kokoro", 20) == 10  # 0.1*20*2+5 = 9, raised to the minimum
    assert admission.timeout_for("kokoro", 40) == 13
    assert admission.timeout_for("kokoro", 300) == 65
    admission.rate.observe("kokoro", 30.0, 100)  # 0.3 s per character observed
    assert admission.timeout_for("kokoro", 300) > 65
    assert admission.timeout_for("espeak", 300) == 65  # other engines keep their own estimate
    assert admission.timeout_for("kokoro", 45) == 20  # capped for very short texts


async def test_retry_after_is_the_gap_between_completions() -> None:
    now = [100.0]
    admission = Admission(
        AdmissionSettings(short_concurrency=1, short_queue=0), clock=lambda: now[0]
    )
    for _ in range(5):
        (await admission.admit("e", 10)).release()
        now[0] += 2.5  # one completion every 2.5 s
    held = await admission.admit("e", 10)
    with pytest.raises(Overloaded) as rejected:
        await admission.admit("e", 10)
    # the next completion frees the place: about 2.5 s away, rounded up to whole seconds
    assert rejected.value.retry_after == 3
    held.release()


async def test_a_waiter_that_cannot_finish_in_time_gives_its_slot_back_unused() -> None:
    # 0.01 s per character: a 50-character text needs 0.5 s, and its deadline is 0.7 s
    admission = _admission(
        short_concurrency=1, seconds_per_char=0.01, safety_factor=1, buffer=0.2, min_timeout=0
    )
    # forecast to take 0.05 s, so the next text is forecast to fit: 0.05 s wait + 0.5 s
    held = await admission.admit("e", 5)
    doomed = asyncio.ensure_future(admission.admit("e", 50))
    await asyncio.sleep(0.3)  # after this wait, 0.3 s are left: too few for 0.5 s of work
    held.release()
    with pytest.raises(DeadlineExceeded, match="too few"):
        await doomed
    stats = admission.stats[SHORT]
    assert (stats.active, stats.queued, stats.timed_out, stats.total) == (0, 0, 1, 2)
    # the forecast was wrong (the running text overran it): counted as a miss
    assert stats.prediction_misses == 1 and stats.forecast_rejected == 0


async def test_a_text_that_cannot_finish_in_time_is_refused_at_arrival() -> None:
    # 0.01 s per character: a 50-character text needs 0.5 s, and its deadline is 0.6 s
    admission = _admission(
        short_concurrency=1, seconds_per_char=0.01, safety_factor=1, buffer=0.1, min_timeout=0
    )
    held = await admission.admit("e", 50)
    with pytest.raises(Overloaded, match="past its 1 s deadline") as refused:
        await admission.admit("e", 50)
    # it would wait 0.5 s and take 0.5 s, 0.4 s past its deadline: retry in a second
    assert refused.value.retry_after == 1
    stats = admission.stats[SHORT]
    assert (stats.rejected, stats.forecast_rejected, stats.queued, stats.timed_out) == (1, 1, 0, 0)
    held.release()
    # with the slot free it is admitted at once
    (await admission.admit("e", 50)).release()


async def test_the_forecast_shares_the_machine_between_running_and_waiting_work() -> None:
    clock = [100.0]
    admission = Admission(
        AdmissionSettings.model_validate(
            {"short_concurrency": 2, "short_queue": 4, "seconds_per_char": 0.1, "buffer": 60}
        ),
        clock=lambda: clock[0],
    )
    assert admission.forecast_wait(SHORT) == 0.0
    running = [await admission.admit("e", 10), await admission.admit("e", 30)]  # 1 s and 3 s
    clock[0] += 0.5  # sharing the machine, each has done 0.25 s of its work
    # 0.75 s and 2.75 s left; the first ends after 1.5 s at half the pace
    assert admission.forecast_wait(SHORT) == pytest.approx(1.5)
    waiting = asyncio.ensure_future(admission.admit("e", 20))  # 2 s, takes that slot
    await asyncio.sleep(0)
    # then it and the 3 s text both have 2 s left: both end 4 s later, at 5.5 s
    assert admission.forecast(SHORT) == pytest.approx((5.5, 5.5))
    # a 1 s text arriving now would start at 5.5 s and, alone, end at 6.5 s
    assert admission.forecast(SHORT, 1.0) == pytest.approx((5.5, 6.5))
    running[0].release()
    (await waiting).release()
    running[1].release()


async def test_the_rate_is_learned_from_each_synthesis_share_of_the_machine() -> None:
    clock = [100.0]
    admission = Admission(
        AdmissionSettings.model_validate({"short_concurrency": 2, "buffer": 60}),
        clock=lambda: clock[0],
    )
    tickets = [await admission.admit("e", 100, "en") for _ in range(2)]
    clock[0] += 2.0  # two at once took 2 s each: 1 s of the machine's work apiece
    for ticket in tickets:
        ticket.release()
        admission.observe(ticket, "e", 100, "en")
    assert admission.rate.get("e", "en") == pytest.approx(0.01)
    alone = await admission.admit("e", 100, "en")
    clock[0] += 1.0
    admission.observe(alone, "e", 100, "en")  # still running: what it has done so far
    assert admission.rate.get("e", "en") == pytest.approx(0.01)
    alone.release()


def test_the_learned_rate_is_kept_per_language() -> None:
    admission = _admission(seconds_per_char=1.0)
    admission.rate.observe("e", 10.0, 100, "zh")
    assert admission.rate.get("e", "zh") == pytest.approx(0.1)
    # a language not yet seen starts from the engine's known figure, not the seed, scaled by
    # the speech a character carries (a Chinese character is about four Latin letters)
    assert admission.rate.get("e", "en") == pytest.approx(0.025)
    admission.rate.observe("e", 3.0, 100, "en")
    assert admission.rate.get("e", "en") == pytest.approx(0.03)
    assert admission.rate.get("e", "zh") == pytest.approx(0.1)
    assert admission.rate.get("other", "zh") == 1.0
