"""Authentication on a live server with keys on: who gets in, with what, and how limits answer."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, ws_url
from voxhub.access import KeyLimits
from voxhub.api.app import create_app
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.logs import LIBRARY_LOGGERS, standard_filters
from voxhub.services.auth.keys import KeySpec
from voxhub.settings.auth import AuthSettings

pytestmark = pytest.mark.asyncio(loop_scope="session")

# reachable without a key: health, documentation, static pages
OPEN = {"/health", "/api/v1/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
OPEN_PAGES = {"/test", "/"}
WS_ROUTES = ("/v1/asr/stream", "/ws/asr", "/")


@dataclass
class Keyed:
    url: str
    container: Container
    keys: dict[str, str]
    log_file: Path

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[Keyed]:
    data_dir = tmp_path_factory.mktemp("auth")
    base = asr_settings(data_dir)
    settings = base.model_copy(update={"auth": AuthSettings(mode="keys")})
    container = Container.build(settings, engine_pool)
    log_file = data_dir / "server.log"
    # every record of the process goes through the filters voxhub's own handlers use
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    for log_filter in standard_filters():
        handler.addFilter(log_filter)
    root = logging.getLogger()
    libraries = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    previous = root.level, [(lg.propagate, list(lg.handlers), lg.level) for lg in libraries]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # as configure_logging does under `voxhub serve` (whatever uvicorn servers of earlier
    # tests configured): library records, the access log too, reach the root handlers
    for library in libraries:
        library.propagate, library.handlers = True, []
        library.setLevel(logging.NOTSET)
    try:
        with serve_app(settings, container, log_level="info") as url:
            ring = container.gate.keys
            specs = [
                KeySpec("alice"),
                KeySpec("root", admin=True),
                KeySpec("narrow", scopes=("tts",)),
                KeySpec("revoked"),
                KeySpec("brief", expires_in_days=1 / 86_400),
                KeySpec("limited", limits=KeyLimits(requests_per_minute=3)),
                KeySpec("frugal", limits=KeyLimits(characters_per_day=30)),
                KeySpec("onejob", limits=KeyLimits(concurrent_jobs=1)),
                KeySpec("onestream", limits=KeyLimits(asr_connections=1)),
            ]
            keys = {spec.name: ring.create(spec)[1] for spec in specs}
            ring.revoke("revoked")
            yield Keyed(url, container, keys, log_file)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous[0])
        for library, (propagate, handlers, level) in zip(libraries, previous[1], strict=True):
            library.propagate, library.handlers = propagate, handlers
            library.setLevel(level)
        handler.close()


@pytest.fixture
async def http(keyed: Keyed) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=keyed.url, timeout=30) as client:
        yield client


def _routes() -> list[tuple[str, str]]:
    """Every HTTP route of the app, from its OpenAPI document, and /metrics (not in it)."""
    paths = create_app(asr_settings(Path("unused"))).openapi()["paths"]
    found = [(method.upper(), path) for path, item in paths.items() for method in item]
    return [*found, ("GET", "/metrics")]


async def test_every_route_but_health_docs_and_pages_needs_a_key(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    routes = _routes()
    assert len(routes) > 40, "the app's routes were not found"
    checked = 0
    for method, path in routes:
        concrete = path.replace("{", "").replace("}", "")
        response = await http.request(method, concrete)
        if path in OPEN or path in OPEN_PAGES:
            assert response.status_code != 401, (method, path)
            continue
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        checked += 1
    assert checked > 35
    # static assets (the JavaScript client) stay reachable
    assert (await http.get("/static/voxhub.js")).status_code == 200


@pytest.mark.parametrize("path", WS_ROUTES)
async def test_websockets_are_closed_with_1008_before_any_audio(keyed: Keyed, path: str) -> None:
    for query in ("", "?token=vxt_bogus.sig", f"?api_key={keyed.keys['alice']}"):
        async with connect(ws_url(keyed.url, path) + query) as ws:
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1008, (path, query)
        assert ws.close_reason is not None and "unauthenticated" in ws.close_reason


async def test_a_key_or_a_minted_token_opens_a_recognition_stream(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    headers = {"X-API-Key": keyed.keys["alice"]}
    async with connect(ws_url(keyed.url), additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
    minted = await http.post(
        "/v1/auth/tokens", json={"path": "/v1/asr/stream"}, headers=keyed.headers("alice")
    )
    assert minted.status_code == 200, minted.text
    async with connect(ws_url(keyed.url) + "?" + minted.json()["query"]) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"


async def test_missing_wrong_revoked_and_expired_keys_get_401(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    alice = keyed.keys["alice"]
    wrong = alice[:-3] + ("xyz" if not alice.endswith("xyz") else "abc")
    await asyncio.sleep(1.1)  # "brief" lives one second
    attempts: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {wrong}"},
        {"X-API-Key": "sk-openai-style-key"},
        {"Authorization": f"Bearer {keyed.keys['revoked']}"},
        {"Authorization": f"Bearer {keyed.keys['brief']}"},
    ]
    messages = []
    for headers in attempts:
        response = await http.get("/v1/tts/jobs", headers=headers)
        assert response.status_code == 401, (headers, response.text)
        messages.append(response.json()["error"]["message"])
    assert "revoked" in messages[4] and "expired" in messages[5]
    assert all(alice not in m and wrong not in m for m in messages)
    ok = await http.get("/v1/tts/jobs", headers={"X-API-Key": alice})
    assert ok.status_code == 200


async def test_a_key_without_the_routes_scope_gets_403(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    narrow = keyed.headers("narrow")
    refused = await http.get("/v1/tts/jobs", headers=narrow)
    assert refused.status_code == 403
    assert "jobs" in refused.json()["error"]["message"]
    assert (await http.get("/v1/voices", headers=narrow)).status_code == 403
    spoken = await http.post(
        "/v1/tts", json={"text": "Hello.", "voice": "espeak:en-us"}, headers=narrow
    )
    assert spoken.status_code == 200
    # compatibility routes check the same scopes, in their own error shape
    indextts = await http.get("/voices", headers=narrow)
    assert indextts.status_code == 403 and "detail" in indextts.json()


async def test_rate_limited_requests_get_429_with_limit_headers(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    headers = keyed.headers("limited")
    for _ in range(3):
        assert (await http.get("/v1/tts/jobs", headers=headers)).status_code == 200
    refused = await http.get("/v1/tts/jobs", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert int(refused.headers["X-RateLimit-Reset"]) >= int(time.time())


async def test_characters_per_day_and_jobs_at_once(keyed: Keyed, http: httpx.AsyncClient) -> None:
    frugal = keyed.headers("frugal")
    text = {"text": "Twenty characters!!", "voice": "espeak:en-us"}
    assert (await http.post("/v1/tts", json=text, headers=frugal)).status_code == 200
    refused = await http.post("/v1/tts", json=text, headers=frugal)
    assert refused.status_code == 429
    assert "characters" in refused.json()["error"]["message"]
    assert "X-RateLimit-Remaining" in refused.headers
    # no worker runs here: the first job stays queued and holds the key's one job
    onejob = keyed.headers("onejob")
    job = {"text": "One job. Of two sentences.", "voice": "espeak:en-us"}
    assert (await http.post("/v1/tts/jobs", json=job, headers=onejob)).status_code == 202
    second = await http.post("/v1/tts/jobs", json=job, headers=onejob)
    assert second.status_code == 429 and "Retry-After" in second.headers


async def test_recognition_connections_per_key(keyed: Keyed) -> None:
    headers = {"X-API-Key": keyed.keys["onestream"]}
    async with connect(ws_url(keyed.url), additional_headers=headers) as first:
        await first.send(json.dumps({"type": "start", "sample_rate": 16000}))
        assert json.loads(await asyncio.wait_for(first.recv(), 10))["type"] == "ready"
        async with connect(ws_url(keyed.url), additional_headers=headers) as second:
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(second.recv(), 5)
        assert second.close_code == 1013
        assert second.close_reason is not None and "rate_limited" in second.close_reason


async def test_tokens_expire_stay_on_their_path_and_keys_stay_out_of_urls(
    keyed: Keyed, http: httpx.AsyncClient
) -> None:
    alice = keyed.headers("alice")
    spoken = await http.post(
        "/v1/tts", json={"text": "Hello there.", "voice": "espeak:en-us"}, headers=alice
    )
    audio_path = httpx.URL(spoken.json()["audio_url"]).path
    minted = (
        await http.post("/v1/auth/tokens", json={"path": audio_path, "seconds": 1}, headers=alice)
    ).json()
    assert minted["expires_in"] <= 1
    assert (await http.get(audio_path, params={"token": minted["token"]})).status_code == 200
    elsewhere = await http.get("/v1/tts/jobs", params={"token": minted["token"]})
    assert elsewhere.status_code == 401
    await asyncio.sleep(1.2)
    expired = await http.get(audio_path, params={"token": minted["token"]})
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    in_url = await http.get("/v1/tts/jobs", params={"api_key": keyed.keys["alice"]})
    assert in_url.status_code == 401 and "header" in in_url.json()["error"]["message"]
    # a token is refused once its key is revoked
    _, key = keyed.container.gate.keys.create(KeySpec("shortlived"))
    token = (
        await http.post("/v1/auth/tokens", json={}, headers={"Authorization": f"Bearer {key}"})
    ).json()["token"]
    assert (await http.get("/v1/tts/jobs", params={"token": token})).status_code == 200
    keyed.container.gate.keys.revoke("shortlived")
    await asyncio.sleep(5.1)  # every process trusts a verified key for 5 seconds
    assert (await http.get("/v1/tts/jobs", params={"token": token})).status_code == 401


async def test_no_key_or_token_is_kept_in_plain_text(keyed: Keyed, http: httpx.AsyncClient) -> None:
    alice = keyed.keys["alice"]
    token = (await http.post("/v1/auth/tokens", json={}, headers=keyed.headers("alice"))).json()[
        "token"
    ]
    # a request that puts both where logs look: the access log's URL and the headers
    await http.get("/v1/tts/jobs", params={"token": token})
    await http.get("/v1/tts/jobs", params={"api_key": alice})
    await http.get("/v1/voices", headers={"X-API-Key": alice})
    logged = keyed.log_file.read_text(encoding="utf-8")
    assert "GET /v1/tts/jobs?token=***" in logged, "the access log was not captured"
    database = (keyed.container.settings.data_dir / "voxhub.db").read_bytes()
    for secret in [*keyed.keys.values(), token]:
        assert secret not in logged
        assert secret.encode() not in database
    assert b"vxk_" not in database


async def test_whoami_names_the_key_and_its_tenant(keyed: Keyed, http: httpx.AsyncClient) -> None:
    body: dict[str, Any] = (await http.get("/v1/auth/whoami", headers=keyed.headers("root"))).json()
    assert body == {
        "authentication": "keys",
        "key": "root",
        "tenant": "root",
        "admin": True,
        "scopes": ["asr", "jobs", "tts", "voices"],
    }
