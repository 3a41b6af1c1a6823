"""Overload over real HTTP: 429 for the excess, 408 past the deadline, short texts keep flowing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_settings, serve_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.settings import AdmissionSettings

SHORT_TEXT = "One two three. Four five six."
LONG_TEXT = " ".join(f"Sentence number {n} is long enough." for n in range(8))


@pytest.fixture
def overload(tmp_path: Path, engine_pool: EnginePool) -> Iterator[tuple[str, Container]]:
    settings = make_settings(tmp_path, default="fake").model_copy(
        update={
            "admission": AdmissionSettings(
                threshold=100,
                short_concurrency=2,
                long_concurrency=1,
                short_queue=4,
                long_queue=1,
                seconds_per_char=0.01,
                safety_factor=1.0,
                buffer=0.0,
                min_timeout=3.5,
            )
        }
    )
    container = Container.build(settings, engine_pool)
    fake = container.engines.get("fake")
    with serve_app(settings, container) as url:
        yield url, container
    fake.delay_per_char = 0.0  # type: ignore[attr-defined]


async def _post(client: httpx.AsyncClient, text: str) -> tuple[int, float, float]:
    started = time.perf_counter()
    response = await client.post("/v1/tts", json={"text": text, "voice": "fake:a"})
    return response.status_code, started, time.perf_counter()


async def test_ten_times_the_limit_rejects_the_excess_at_once(
    overload: tuple[str, Container],
) -> None:
    url, container = overload
    container.engines.get("fake").delay_per_char = 0.01  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        results = await asyncio.gather(*[_post(client, SHORT_TEXT) for _ in range(20)])
        stats = (await client.get("/v1/stats")).json()["admission"]["short"]
        metrics = (await client.get("/metrics")).text
    statuses = [status for status, _, _ in results]
    # 2 running + 4 waiting are served; the other 14 are refused
    assert statuses.count(200) == 6 and statuses.count(429) == 14
    first_success = min(end for status, _, end in results if status == 200)
    assert all(end < first_success for status, _, end in results if status == 429)
    assert (stats["total"], stats["rejected"], stats["active"], stats["queued"]) == (6, 14, 0, 0)
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    rejected = {
        s.labels["class"]: s.value
        for s in families["voxhub_admission_rejected"].samples
        if s.name.endswith("_total")
    }
    assert rejected["short"] == 14
    requests = families["voxhub_http_request_duration_seconds"]
    counted = sum(
        s.value
        for s in requests.samples
        if s.name.endswith("_count") and s.labels["route"] == "/v1/tts"
    )
    assert counted == 20


async def test_retry_after_and_error_body(overload: tuple[str, Container]) -> None:
    url, container = overload
    container.engines.get("fake").delay_per_char = 0.01  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        responses = await asyncio.gather(
            *[
                client.post("/v1/tts", json={"text": SHORT_TEXT, "voice": "fake:a"})
                for _ in range(10)
            ]
        )
    refused = [r for r in responses if r.status_code == 429]
    assert refused
    assert int(refused[0].headers["retry-after"]) >= 1
    assert refused[0].json()["error"]["code"] == "overloaded"


async def test_deadline_gives_408_and_the_slot_frees_when_inference_stops(
    overload: tuple[str, Container],
) -> None:
    url, container = overload
    fake = container.engines.get("fake")
    # ~1.4 s per sentence, deadline 3.5 s (forecast: 3 s): the request times out early in its
    # third sentence, which holds the slot for about a second after the 408 (a deadline that
    # fell near the end of a sentence would leave no time to see the slot held)
    fake.delay_per_char = 0.039  # type: ignore[attr-defined]
    before = fake.calls  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        response = await client.post("/v1/tts", json={"text": LONG_TEXT, "voice": "fake:a"})
        assert response.status_code == 408
        assert response.json()["error"]["code"] == "timeout"
        # the answer came at the deadline, but the inference still holds its slot
        held = (await client.get("/v1/stats")).json()["admission"]["long"]
        assert held["active"] == 1 and held["timed_out"] == 1
        for _ in range(100):
            stats = (await client.get("/v1/stats")).json()["admission"]["long"]
            if stats["active"] == 0:
                break
            await asyncio.sleep(0.1)
        assert stats["active"] == 0
    # it stopped between sentences instead of speaking all eight
    assert fake.calls - before < 8  # type: ignore[attr-defined]


async def test_short_texts_flow_while_long_ones_saturate(overload: tuple[str, Container]) -> None:
    url, container = overload
    container.engines.get("fake").delay_per_char = 0.004  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        # one text teaches the server its real speed (the seed is 2.5 times slower, and with it
        # the second long text below would be forecast to miss its deadline and be refused)
        learned = await client.post("/v1/tts", json={"text": LONG_TEXT[:250], "voice": "fake:a"})
        assert learned.status_code == 200
        longs = [
            asyncio.ensure_future(
                client.post("/v1/tts", json={"text": LONG_TEXT[:250], "voice": "fake:a"})
            )
            for _ in range(2)
        ]
        await asyncio.sleep(0.2)
        busy = (await client.get("/v1/stats")).json()["admission"]["long"]
        assert busy["active"] == 1 and busy["queued"] == 1
        for _ in range(3):
            short = await client.post("/v1/tts", json={"text": "Quick one.", "voice": "fake:a"})
            assert short.status_code == 200
        still = (await client.get("/v1/stats")).json()["admission"]["long"]
        assert still["active"] == 1  # the long ones were still running meanwhile
        assert [r.status_code for r in await asyncio.gather(*longs)] == [200, 200]


async def test_glm_concurrency_stats(overload: tuple[str, Container]) -> None:
    url, _ = overload
    async with httpx.AsyncClient(base_url=url) as client:
        body = (await client.get("/api/v1/stats/concurrency")).json()
    assert body["success"] is True
    assert body["config"]["concurrency"] == {"short_text": 2, "long_text": 1, "threshold": 100}
    assert body["stats"]["short_text"]["available"] == 2


async def test_a_text_forecast_to_miss_its_deadline_is_refused_before_any_work(
    overload: tuple[str, Container],
) -> None:
    url, container = overload
    fake = container.engines.get("fake")
    fake.delay_per_char = 0.01  # type: ignore[attr-defined]
    text = LONG_TEXT[:250]  # forecast 2.5 s of work against a 3 s deadline
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        running = asyncio.ensure_future(_post(client, text))
        await asyncio.sleep(0.3)
        calls = fake.calls  # type: ignore[attr-defined]
        # 2.2 s of wait for the slot + 2.5 s of its own: past the deadline, so refused now
        status, _, refused_at = await _post(client, text)
        response = await client.post("/v1/tts", json={"text": text, "voice": "fake:a"})
        assert fake.calls == calls  # type: ignore[attr-defined]
        first_status, _, first_done = await running
        stats = (await client.get("/v1/stats")).json()["admission"]["long"]
        metrics = (await client.get("/metrics")).text
    assert (status, first_status) == (429, 200)
    assert refused_at < first_done  # answered while the slot was still busy
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert "deadline" in response.json()["error"]["message"]
    assert (stats["forecast_rejected"], stats["timed_out"], stats["prediction_misses"]) == (2, 0, 0)
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    forecast = {
        s.labels["class"]: s.value
        for s in families["voxhub_admission_forecast_rejected"].samples
        if s.name.endswith("_total")
    }
    assert forecast["long"] == 2
    misses = families["voxhub_admission_prediction_misses"].samples
    assert all(s.value == 0 for s in misses if s.name.endswith("_total"))
