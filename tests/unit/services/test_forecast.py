"""The processor-sharing forecast and the verdict on a newcomer."""

from __future__ import annotations

import math

import pytest

from voxhub.services.forecast import MARGIN, Planned, ServiceClock, forecast, judge, remaining


def test_running_syntheses_share_the_machine_and_waiters_take_freed_slots() -> None:
    running = [Planned("short", 1.0), Planned("short", 3.0)]
    outlook = forecast(running, [Planned("short", 2.0)], {"short": 2})
    # 1 s and 3 s at half pace: the first ends at 2 s; the waiter starts then and shares the
    # machine with the 2 s left of the other, both ending 4 s later
    assert outlook.running == pytest.approx([2.0, 6.0])
    assert outlook.waiting == [pytest.approx((2.0, 6.0))]


def test_a_waiter_of_a_full_class_lets_another_class_pass() -> None:
    running = [Planned("short", 4.0)]
    waiting = [Planned("short", 1.0), Planned("long", 1.0), Planned("other", 1.0)]
    outlook = forecast(running, waiting, {"short": 1, "long": 1})
    assert outlook.waiting[1][0] == 0.0  # the long text starts at once
    assert outlook.waiting[0][0] == pytest.approx(5.0)  # the short one when the first ends
    assert outlook.waiting[2] == (math.inf, math.inf)  # no slot for its class, ever


def test_a_newcomer_that_fits_is_admitted() -> None:
    running = [Planned("short", 1.0, deadline=10.0)]
    verdict = judge(running, [Planned("long", 2.0, 10.0)], 0, {"short": 1, "long": 1})
    assert verdict.retry_in is None and verdict.end == pytest.approx(3.0)


def test_a_newcomer_that_would_end_late_is_refused_until_the_work_ahead_shrinks() -> None:
    running = [Planned("short", 4.0, deadline=100.0)]
    verdict = judge(running, [Planned("short", 1.0, deadline=4.0)], 0, {"short": 1})
    assert verdict.retry_in == pytest.approx(5.0 * MARGIN - 4.0)
    assert verdict.harms == 0


def test_a_newcomer_that_would_make_an_admitted_one_late_is_refused() -> None:
    # alone the running text ends at 4 s, by its 5 s deadline; sharing with a 2 s newcomer
    # it would end at 6 s
    running = [Planned("short", 4.0, deadline=5.0)]
    verdict = judge(running, [Planned("long", 2.0, deadline=60.0)], 0, {"short": 1, "long": 1})
    assert verdict.harms == 1
    assert verdict.retry_in == pytest.approx(4.0)  # ask again when it has ended


def test_a_synthesis_late_anyway_does_not_refuse_a_newcomer() -> None:
    running = [Planned("short", 4.0, deadline=1.0)]
    verdict = judge(running, [Planned("long", 1.0, deadline=60.0)], 0, {"short": 1, "long": 1})
    assert verdict.retry_in is None


def test_the_service_clock_counts_each_synthesis_share() -> None:
    clock = ServiceClock(0.0)
    clock.change(0.0, 1)
    clock.change(2.0, 2)  # 2 s alone
    assert clock.read(6.0) == pytest.approx(4.0)  # then 4 s at half pace
    # a synthesis past its forecast is given a quarter of it to go
    assert remaining(4.0, 1.0) == 3.0 and remaining(4.0, 9.0) == 1.0
