"""The clients with API keys against a real server with keys on: minted tokens, refusals, the
real-time stream's handshake, `voxhub asr-client --api-key` and voxhub.js's token URLs."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, tone, write_wav, ws_url
from voxhub.access import SCOPES
from voxhub.cli.asr_client import asr_client
from voxhub.client import AsyncClient, Client, VoxhubAPIError
from voxhub.client.asr_stream import StreamClient
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.services.auth.keys import KeyRing, KeySpec
from voxhub.settings import AuthSettings

_names = itertools.count()


@dataclass
class Server:
    url: str
    keys: KeyRing

    def key(self, scopes: tuple[str, ...] = SCOPES) -> str:
        """A new key of its own tenant, shown once as the CLI would print it."""
        _, key = self.keys.create(KeySpec(name=f"client-{next(_names)}", scopes=scopes))
        return key


def start(tmp: Path, engine_pool: EnginePool, mode: str) -> Iterator[Server]:
    settings = asr_settings(tmp).model_copy(update={"auth": AuthSettings(mode=mode)})
    container = Container.build(settings, engine_pool)
    with serve_app(settings, container) as url:
        yield Server(url, container.gate.keys)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[Server]:
    yield from start(tmp_path_factory.mktemp("keys"), engine_pool, "keys")


@pytest.fixture(scope="module")
def open_server(
    tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool
) -> Iterator[Server]:
    yield from start(tmp_path_factory.mktemp("open"), engine_pool, "off")


def test_a_minted_token_opens_its_path_and_nothing_else(server: Server) -> None:
    with Client(server.url, api_key=server.key()) as voxhub:
        token = voxhub.mint_token("/v1/voices", seconds=60)
    assert token.token.startswith("vxt_") and token.query == f"token={token.token}"
    assert 0 < token.expires_in <= 60
    assert httpx.get(f"{server.url}/v1/voices?{token.query}").status_code == 200
    assert httpx.get(f"{server.url}/v1/voices").status_code == 401
    elsewhere = httpx.get(f"{server.url}/v1/tts/jobs?{token.query}")
    assert elsewhere.status_code == 401
    assert "/v1/voices" in elsewhere.json()["error"]["message"]


async def test_the_async_client_mints_a_token_for_any_route(server: Server) -> None:
    async with AsyncClient(server.url, api_key=server.key()) as voxhub:
        token = await voxhub.mint_token()
    assert 0 < token.expires_in <= AuthSettings().token_seconds
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get(f"/v1/tts/jobs?{token.query}")).status_code == 200


def test_refusals_are_api_errors_with_the_servers_reason(server: Server) -> None:
    with Client(server.url) as anonymous, pytest.raises(VoxhubAPIError) as missing:
        anonymous.list_jobs()
    assert (missing.value.status, missing.value.code) == (401, "unauthenticated")
    assert "API key" in missing.value.message
    with Client(server.url, api_key="vxk_wrong") as wrong, pytest.raises(VoxhubAPIError) as bad:
        wrong.mint_token()
    assert (bad.value.status, bad.value.code) == (401, "unauthenticated")
    with (
        Client(server.url, api_key=server.key(("tts",))) as speaker,
        pytest.raises(VoxhubAPIError) as scope,
    ):
        speaker.list_jobs()
    assert (scope.value.status, scope.value.code) == (403, "forbidden")
    assert "'jobs'" in scope.value.message


def test_a_server_with_authentication_off_mints_no_tokens(open_server: Server) -> None:
    with Client(open_server.url, api_key="anything") as voxhub:
        assert voxhub.list_jobs().total == 0
        with pytest.raises(VoxhubAPIError) as refused:
            voxhub.mint_token()
    assert refused.value.status == 401


async def test_the_stream_client_sends_its_key_in_the_handshake(server: Server) -> None:
    url = ws_url(server.url)
    async with await StreamClient.open(url, api_key=server.key(("asr",))) as client:
        await client.send(client.dialect.start("en", False, None))
        ready = await client.next({"ready", "error"}, 10)
    assert ready["type"] == "ready"
    for key in (None, server.key(("tts",))):
        async with await StreamClient.open(url, api_key=key) as refused:
            with pytest.raises(ConnectionError, match="refused the API key \\(1008"):
                await refused.next({"ready"}, 10)
        assert refused.close_code == 1008


def test_asr_client_takes_the_key_from_the_environment(server: Server, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(asr_client)
    wav = write_wav(tmp_path / "tone.wav", tone(0.5))
    args = [str(wav), "--url", ws_url(server.url), "--fast", "--language", "en"]
    runner = CliRunner()
    heard = runner.invoke(app, args, env={"VOXHUB_API_KEY": server.key(("asr",))})
    assert heard.exit_code == 0, heard.output
    assert "final    w1 w2 w3 w4 w5" in heard.output
    refused = runner.invoke(app, args, env={"VOXHUB_API_KEY": None})
    assert refused.exit_code == 1
    assert "This server needs an API key" in refused.output
    funasr = [str(wav), "--url", ws_url(server.url, "/ws/asr"), "--fast"]
    refused = runner.invoke(app, funasr, env={"VOXHUB_API_KEY": None})
    assert refused.exit_code == 1
    assert "refused the API key (1008" in refused.output


def run_node(script: str, tmp_path: Path, *args: str) -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    source = Path(__file__).parents[3] / "src" / "voxhub" / "static" / "voxhub.js"
    (tmp_path / "voxhub.mjs").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "check.mjs").write_text(script, encoding="utf-8")
    result = subprocess.run(
        [node, "--experimental-eventsource", "check.mjs", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "EventSource is not defined" in result.stderr:
        pytest.skip("this node has no EventSource")
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


TOKEN_SCRIPT = """
import { VoxhubClient } from "./voxhub.mjs";
const [url, key] = process.argv.slice(2);
const voxhub = new VoxhubClient({ baseUrl: url, apiKey: key || null });
const link = await voxhub.tokenUrl("v1/voices");
const linked = (await fetch(link)).status;
const elsewhere = await voxhub.tokenUrl("https://bucket.example/audio.mp3?X-Amz-Signature=1");
const job = await voxhub.submitJob({ text: "Hello there.", voice: "espeak:en-us" });
const types = [];
const watch = voxhub.watchJob(job.id, {
  onEvent: (event) => { types.push(event.type); watch.close(); },
});
const final = await watch.done;
console.log(JSON.stringify({ link, linked, elsewhere, types, final }));
"""


def test_voxhub_js_puts_tokens_in_urls_that_cannot_send_the_key(
    server: Server, tmp_path: Path
) -> None:
    report = run_node(TOKEN_SCRIPT, tmp_path, server.url, server.key())
    link = httpx.URL(str(report["link"]))
    assert link.path == "/v1/voices" and link.params["token"].startswith("vxt_")
    assert report["linked"] == 200
    # another origin (a presigned storage link) gets neither key nor token
    assert report["elsewhere"] == "https://bucket.example/audio.mp3?X-Amz-Signature=1"
    # the event stream opened with a token: EventSource sends no header
    assert report["types"] == ["snapshot"] and report["final"] is None


def test_voxhub_js_needs_no_token_where_authentication_is_off(
    open_server: Server, tmp_path: Path
) -> None:
    report = run_node(TOKEN_SCRIPT, tmp_path, open_server.url, "a-key")
    assert report["link"] == f"{open_server.url}/v1/voices" and report["linked"] == 200
    assert report["types"] == ["snapshot"]
