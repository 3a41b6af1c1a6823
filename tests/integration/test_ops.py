"""Health names unreachable dependencies; system facts describe the host."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import make_settings
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool


async def test_health_checks_database_broker_and_storage(client: httpx.AsyncClient) -> None:
    body = (await client.get("/health")).json()
    assert body["status"] == "healthy" and body["problems"] == []
    assert set(body["dependencies"]) == {"database", "broker", "storage"}
    assert all(d["ok"] for d in body["dependencies"].values())


async def test_health_is_503_naming_an_unreachable_database(
    tmp_path: Path, engine_pool: EnginePool
) -> None:
    settings = make_settings(tmp_path, default="espeak").model_copy(
        # nothing listens on port 1: the database is down
        update={"database_url": "postgresql://postgres@127.0.0.1:1/voxhub"}
    )
    app = create_app(settings, Container.build(settings, engine_pool))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert not body["dependencies"]["database"]["ok"]
    assert body["dependencies"]["storage"]["ok"]
    assert any(p.startswith("database unreachable") for p in body["problems"])


async def test_system_facts(client: httpx.AsyncClient) -> None:
    facts = (await client.get("/v1/system")).json()
    assert facts["cpu"]["count"] >= 1
    assert facts["memory"]["total_mb"] > 0
    assert facts["disk"]["free_gb"] > 0
    assert "kokoro" in facts["engines"]
    assert facts["packages"]["fastapi"]


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32
    echoed = await client.get("/v1/voices", headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["x-request-id"] == "trace-42"
    failed = await client.post("/v1/tts", json={"text": ""})
    assert failed.status_code == 422 and failed.headers["x-request-id"]
