"""POST /v1/admin/jobs/purge and `voxhub jobs purge`: finished jobs removed on demand by the
server that owns them, admins only when keys are on; `--local` for a stopped install."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings, serve_app
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.db.repositories.jobs import JobStore
from voxhub.engines.pool import EnginePool
from voxhub.services.auth.keys import KeySpec
from voxhub.settings import AuthSettings

OLD, NEW = "a" * 32, "b" * 32


def add_jobs(container: Container) -> None:
    """One job cancelled three days ago, one queued now."""
    container.migrate_embedded()
    engine = container.job_store.engine
    long_ago = datetime.now(UTC) - timedelta(days=3)
    old = JobStore(engine, clock=lambda: long_ago)
    old.create(OLD, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)
    old.cancel(OLD)
    JobStore(engine).create(NEW, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)


def remaining(container: Container) -> list[str]:
    jobs, _ = container.job_store.find(None, 10, 0)
    return [job.id for job in jobs]


@pytest.fixture
async def keyed(
    tmp_path: Path, engine_pool: EnginePool
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    settings = make_settings(tmp_path, default="espeak").model_copy(
        update={"auth": AuthSettings(mode="keys")}
    )
    container = Container.build(settings, engine_pool)
    app = create_app(settings, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
            yield c, container


async def test_purge_removes_only_old_finished_jobs(
    client: httpx.AsyncClient, container: Container
) -> None:
    add_jobs(container)
    kept = await client.post("/v1/admin/jobs/purge", json={"older_than": "4d"})
    assert kept.status_code == 200, kept.text
    assert kept.json() == {"removed": [], "files": 0, "older_than": "4d"}
    purged = await client.post("/v1/admin/jobs/purge", json={"older_than": "2d"})
    assert purged.json()["removed"] == [OLD]
    assert remaining(container) == [NEW]


@pytest.mark.parametrize("age", ["soon", "-1d", "7y", "9999999d", "800000", "999999w"])
async def test_an_age_that_is_not_one_is_422(client: httpx.AsyncClient, age: str) -> None:
    answer = await client.post("/v1/admin/jobs/purge", json={"older_than": age})
    assert answer.status_code == 422, answer.text
    assert "older_than" in answer.text


async def test_only_an_admin_key_purges(keyed: tuple[httpx.AsyncClient, Container]) -> None:
    client, container = keyed
    add_jobs(container)
    _, tenant = container.gate.keys.create(KeySpec(name="tenant", tenant="alice"))
    _, admin = container.gate.keys.create(KeySpec(name="ops", admin=True))
    refused = await client.post(
        "/v1/admin/jobs/purge", json={"older_than": "2d"}, headers={"X-API-Key": tenant}
    )
    assert refused.status_code == 403
    assert "admin key" in refused.json()["error"]["message"]
    done = await client.post(
        "/v1/admin/jobs/purge", json={"older_than": "2d"}, headers={"X-API-Key": admin}
    )
    assert done.status_code == 200 and done.json()["removed"] == [OLD]


def test_the_command_asks_the_running_server(tmp_path: Path, engine_pool: EnginePool) -> None:
    settings = make_settings(tmp_path / "server", default="espeak")
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        add_jobs(container)
        # run from elsewhere, with another data directory: the server's jobs are purged
        env = {**os.environ, "VOXHUB_DATA_DIR": str(tmp_path / "elsewhere")}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "voxhub.cli",
                "jobs",
                "purge",
                "--older-than",
                "2d",
                "--url",
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [OLD]
        assert "removed 1 jobs" in result.stderr
        assert remaining(container) == [NEW]
