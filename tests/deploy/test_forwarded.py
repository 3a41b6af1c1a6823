"""Links behind a proxy: the scheme and host a trusted proxy forwards are the ones voxhub
returns, and an untrusted client's X-Forwarded-* headers change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from voxhub.api.app import create_app
from voxhub.cli.api_process import ShutdownGate
from voxhub.cli.forwarded import ForwardedHeaders, with_forwarded_host
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.settings import Settings

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "speech.example.test",
    "X-Forwarded-For": "203.0.113.7",
}


async def _audio_url(
    settings: Settings, container: Container, peer: str, headers: dict[str, str]
) -> str:
    """The audio URL of a `POST /v1/tts` from `peer`'s address, to the app wrapped as
    `voxhub serve` wraps it."""
    app = create_app(settings, container)
    wrapped = ForwardedHeaders(ShutdownGate(app), settings.server.forwarded_allow_ips)
    transport = httpx.ASGITransport(app=wrapped, client=(peer, 41000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8000") as client,
    ):
        answer = await client.post(
            "/v1/tts", json={"text": "Hello.", "voice": "espeak:en-us"}, headers=headers
        )
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["audio_url"]
    return url


@pytest.fixture
def container(settings: Settings, engine_pool: EnginePool) -> Iterator[Container]:
    yield Container.build(settings, engine_pool)


async def test_a_trusted_proxy_names_scheme_and_host(
    settings: Settings, container: Container
) -> None:
    url = await _audio_url(settings, container, "127.0.0.1", FORWARDED)
    assert url.startswith("https://speech.example.test/v1/tts/audio/")


async def test_anyone_else_is_not_believed(settings: Settings, container: Container) -> None:
    url = await _audio_url(settings, container, "198.51.100.9", FORWARDED)
    assert url.startswith("http://10.0.0.5:8000/v1/tts/audio/")


async def test_the_trusted_addresses_are_a_setting(
    settings: Settings, container: Container
) -> None:
    server = settings.server.model_copy(update={"forwarded_allow_ips": "10.1.0.0/16"})
    trusting = settings.model_copy(update={"server": server})
    url = await _audio_url(trusting, container, "10.1.2.3", FORWARDED)
    assert url.startswith("https://speech.example.test/")


async def test_a_configured_public_url_wins(settings: Settings, engine_pool: EnginePool) -> None:
    server = settings.server.model_copy(update={"public_url": "https://voice.example.org/tts"})
    fixed = settings.model_copy(update={"server": server})
    url = await _audio_url(fixed, Container.build(fixed, engine_pool), "127.0.0.1", FORWARDED)
    assert url.startswith("https://voice.example.org/tts/v1/tts/audio/")


@pytest.mark.parametrize(
    ("forwarded", "host"),
    [
        (b"speech.example.test:8443", b"speech.example.test:8443"),
        (b"first.example, second.example", b"first.example"),
        (b"[2001:db8::1]:443", b"[2001:db8::1]:443"),
        # not a host: the request's own Host stays
        (b"evil.example/path?x=1", b"10.0.0.5"),
        (b"", b"10.0.0.5"),
    ],
)
def test_the_forwarded_host(forwarded: bytes, host: bytes) -> None:
    scope = {"type": "http", "headers": [(b"host", b"10.0.0.5"), (b"x-forwarded-host", forwarded)]}
    headers = dict(with_forwarded_host(scope)["headers"])
    assert headers[b"host"] == host
