"""Shared fixtures: one engine pool per test session (models load once), apps on top of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.support.s3 import moto_s3, s3_storage  # noqa: F401  (fixtures, for every test module)
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import EngineSettings, Settings

ENABLED = ["kokoro", "espeak", "fake"]


def pytest_configure(config: pytest.Config) -> None:
    """A data home of the test run's own: a test that forgets its data directory writes there,
    not into the user's. The model cache stays the user's: assembled once, shared by runs."""
    import os
    import tempfile

    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="voxhub-test-home-")


@pytest.fixture(scope="session")
def engine_pool() -> EnginePool:
    """Engines load once per test session, as they do once per server process."""
    return EnginePool(EngineOptions(threads=2), enabled=ENABLED)


def make_settings(data_dir: Path, default: str = "kokoro") -> Settings:
    return Settings(
        data_dir=data_dir,
        engines=EngineSettings(default=default, preload=[default], enabled=ENABLED),
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def container(settings: Settings, engine_pool: EnginePool) -> Iterator[Container]:
    yield Container.build(settings, engine_pool)


@pytest.fixture
async def app(settings: Settings, container: Container) -> AsyncIterator[FastAPI]:
    application = create_app(settings, container)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://voxhub.test") as c:
        yield c


@pytest.fixture
def live_server(settings: Settings, container: Container) -> Iterator[str]:
    with serve_app(settings, container) as url:
        yield url


@contextmanager
def serve_app(
    settings: Settings, container: Container, log_level: str | None = None
) -> Iterator[str]:
    """The app on a real uvicorn at 127.0.0.1, its lifespan run on uvicorn's own loop.

    With `log_level`, uvicorn's records (the access log too) go to the process's own
    handlers at that level, as under `voxhub serve`; without, uvicorn only warns."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    application = create_app(settings, container)
    if log_level is None:
        config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    else:
        config = uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level=log_level, log_config=None
        )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    # start-up preloads the default engine: kokoro takes seconds, more on a busy machine
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
