"""The shared decode executor runs finals before queued partials, off the event loop."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator

import pytest

from voxhub.services.recognition.decode import DecodeCancelled, DecodeExecutor, Priority


class Gate(threading.Event):
    """Holds a decode thread until set; `entered` tells that the thread got there."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()


def blocking(gate: Gate) -> Callable[[], bool]:
    def job() -> bool:
        gate.entered.set()
        return gate.wait()

    return job


@pytest.fixture
def executor() -> Iterator[DecodeExecutor]:
    pool = DecodeExecutor(1)
    yield pool
    pool.shutdown()


async def test_finals_overtake_queued_partials_and_audio(executor: DecodeExecutor) -> None:
    gate = Gate()
    order: list[str] = []
    blocker = executor.submit(Priority.PARTIAL, blocking(gate), engine="e", kind="partial")
    await asyncio.to_thread(gate.entered.wait)
    jobs = [
        executor.submit(
            Priority.PARTIAL, functools.partial(order.append, f"p{i}"), engine="e", kind="partial"
        )
        for i in range(3)
    ]
    jobs.append(
        executor.submit(Priority.AUDIO, lambda: order.append("a"), engine="e", kind="accept")
    )
    jobs.append(
        executor.submit(Priority.FINAL, lambda: order.append("f"), engine="e", kind="final")
    )
    assert executor.queued == 5
    gate.set()
    await asyncio.gather(blocker.future, *(job.future for job in jobs))
    assert order == ["f", "a", "p0", "p1", "p2"]


async def test_a_queued_job_can_be_withdrawn_a_running_one_cannot(
    executor: DecodeExecutor,
) -> None:
    gate = Gate()
    running = executor.submit(Priority.PARTIAL, blocking(gate), engine="e", kind="partial")
    queued = executor.submit(Priority.PARTIAL, lambda: "late", engine="e", kind="partial")
    await asyncio.to_thread(gate.entered.wait)
    assert running.started
    assert not running.cancel()
    assert queued.cancel()
    assert executor.queued == 0
    with pytest.raises(DecodeCancelled):
        await queued.future
    gate.set()
    assert await running.future is True


async def test_jobs_run_on_decode_threads_and_are_timed() -> None:
    seen: list[str] = []
    decoded: list[tuple[str, str]] = []
    executor = DecodeExecutor(2, on_decoded=lambda engine, kind, _: decoded.append((engine, kind)))
    try:
        await asyncio.gather(
            *(
                executor.run(
                    Priority.AUDIO,
                    lambda: seen.append(threading.current_thread().name),
                    engine="e",
                    kind="accept",
                )
                for _ in range(4)
            )
        )
        loop_thread = threading.current_thread().name
        assert seen and all(name.startswith("asr-decode-") for name in seen)
        assert loop_thread not in seen
        assert decoded == [("e", "accept")] * 4
        assert executor.decode_time("e", "accept") > 0
        assert executor.decode_time("e", "partial") == 0
    finally:
        executor.shutdown()


async def test_errors_reach_the_caller(executor: DecodeExecutor) -> None:
    def fail() -> None:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        await executor.run(Priority.FINAL, fail, engine="e", kind="final")


async def test_one_thread_stays_free_of_partials_for_a_final() -> None:
    pool = DecodeExecutor(2)
    try:
        gates = [Gate(), Gate()]
        first = pool.submit(Priority.PARTIAL, blocking(gates[0]), engine="e", kind="partial")
        await asyncio.to_thread(gates[0].entered.wait)
        # a second partial waits although a thread is idle ...
        second = pool.submit(Priority.PARTIAL, blocking(gates[1]), engine="e", kind="partial")
        await asyncio.sleep(0.05)
        assert not second.started and pool.busy == 1
        # ... so a final starts at once, while the first partial still decodes
        final = pool.submit(Priority.FINAL, lambda: "final", engine="e", kind="final")
        assert await asyncio.wait_for(asyncio.shield(final.future), 5) == "final"
        assert not first.future.done()
        gates[0].set()
        await first.future
        await asyncio.to_thread(gates[1].entered.wait)
        gates[1].set()
        assert await second.future
    finally:
        for gate in gates:
            gate.set()
        pool.shutdown()
