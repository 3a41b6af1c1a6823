"""The OpenAPI document against the app: schemathesis, all checks, stateless and stateful."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.python import asgi

from voxhub.api.app import create_app
from voxhub.api.openapi.links import LINKS
from voxhub.api.openapi.statuses import RAISES
from voxhub.container import Container
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.options import EngineOptions
from voxhub.settings import (
    ASRSettings,
    CompatSettings,
    EngineSettings,
    EventSettings,
    JobSettings,
    Settings,
)
from voxhub.settings.auth import AuthSettings


def _without(method: str, path: str, *checks: str) -> dict[str, Any]:
    """One operation, with these checks off."""
    disabled = {check: {"enabled": False} for check in checks}
    return {"include-method": method, "include-path": path, "checks": disabled}


# routes anyone may call: health checks and pages
OPEN = {"/health", "/api/v1/health", "/", "/test"}
_POSITIVE = "positive_data_acceptance"
_NEGATIVE = "negative_data_rejection"
# schemathesis' statuses that refuse invalid data, and 413: text over its route's character
# limit is refused with 413, as documented
_REFUSALS = [*(str(s) for s in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429)), "5xx"]

# every run sends the same requests (a fixed seed, derandomized generation), and few: 10
# generated examples per operation besides schemathesis' boundary and method cases
CONFIG: dict[str, Any] = {
    "seed": 14,
    "base-url": "http://testserver",
    "generation": {"max-examples": 10, "deterministic": True},
    # event streams stay open (every job's, a queued job's): each is read for its first
    # events (a snapshot or `connected`, then heartbeats every 0.2 s here) and cut there
    "max-stream-events": 2,
    # a guard: no request takes more than a fraction of this
    "request-timeout": 10,
    "checks": {_NEGATIVE: {"expected-statuses": _REFUSALS}},
    "operations": [
        # whether an upload is audio of the right length, rate and size is not something a
        # schema says: generated files are refused (422, or 400 on OpenAI's route)
        _without("POST", "/v1/voices", _POSITIVE),
        _without("POST", "/v1/asr/transcriptions", _POSITIVE),
        _without("POST", "/v1/audio/transcriptions", _POSITIVE),
        # a callback URL is refused when its host resolves to a private address, or to
        # nothing (as every generated host does here): that depends on DNS, not on the body
        _without("POST", "/v1/tts/jobs", _POSITIVE),
        # IndexTTS took pydantic's lax values ("1.2" or true for a number), and so do its
        # routes here, for its clients; its long-text route also takes a callback URL
        _without("POST", "/tts/online", _NEGATIVE),
        _without("POST", "/tts/long/submit", _NEGATIVE, _POSITIVE),
    ],
}


def contract_settings(data_dir: Path) -> Settings:
    """espeak only (fast), the fake recognizer (no model to load), quick heartbeats, jobs
    of at most 2,000 characters (the document's limits follow settings: the boundary cases
    stay cheap) and no wait for a cloning task; authentication off and no job workers, as
    in every in-process app."""
    return Settings(
        data_dir=data_dir,
        engines=EngineSettings(default="espeak", preload=["espeak"], enabled=["espeak"]),
        asr=ASRSettings(default="fake", enabled=["fake"]),
        events=EventSettings(heartbeat=0.2, poll_interval=0.05),
        jobs=JobSettings(max_chars=2_000),
        compat=CompatSettings(cloning_wait=0),
    )


DOCUMENT = create_app(contract_settings(Path("unused"))).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture(scope="module")
def contract_container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = contract_settings(tmp_path_factory.mktemp("contract"))
    return Container.build(settings, EnginePool(EngineOptions(threads=1), enabled=["espeak"]))


@pytest.fixture
def contract_app(contract_container: Container) -> Iterator[FastAPI]:
    """A new app on the shared container for each test: schemathesis ends an app's lifespan
    after the test that started it."""
    yield create_app(contract_container.settings, contract_container)
    asgi.shutdown_lifespans()


def test_the_app_serves_the_document_tested(contract_container: Container) -> None:
    app = create_app(contract_container.settings, contract_container)
    assert app.openapi() == DOCUMENT


def test_the_tables_of_errors_and_links_name_operations_that_exist() -> None:
    operations = {f"{m.upper()} {p}" for p, item in DOCUMENT["paths"].items() for m in item}
    assert set(RAISES) <= operations, set(RAISES) - operations
    linked = {op for op, _ in LINKS} | {
        target for targets in LINKS.values() for target, _, _ in targets.values()
    }
    assert linked <= operations, linked - operations
    for (source, status), targets in LINKS.items():
        method, path = source.split(" ", 1)
        links = DOCUMENT["paths"][path][method.lower()]["responses"][status]["links"]
        assert set(links) == set(targets), source


def test_with_keys_on_a_key_is_required_and_its_refusals_documented() -> None:
    base = contract_settings(Path("unused"))
    keyed = create_app(base.model_copy(update={"auth": AuthSettings(mode="keys")})).openapi()
    assert set(keyed["components"]["securitySchemes"]) == {"bearer", "apiKey", "token"}
    protected = 0
    for path, item in keyed["paths"].items():
        for method, operation in item.items():
            if "security" not in operation:
                assert path in OPEN, (method, path)
                continue
            protected += 1
            assert {} not in operation["security"], (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            # with keys off, the same operations take a key without needing one
            assert {} in DOCUMENT["paths"][path][method]["security"]
    assert protected > 40


def test_an_undocumented_method_is_405_with_the_path_s_methods(contract_app: FastAPI) -> None:
    client = TestClient(contract_app)
    for path, item in DOCUMENT["paths"].items():
        concrete = path.replace("{", "").replace("}", "")
        response = client.options(concrete)
        assert response.status_code == 405, (path, response.text)
        allowed = {m.strip().lower() for m in response.headers["allow"].split(",")}
        assert allowed - {"head"} == set(item), path


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation(case: Any, contract_app: FastAPI) -> None:
    case.call_and_validate(app=contract_app)


def test_along_the_links(contract_app: FastAPI) -> None:
    """Sequences that follow the document's links (and those schemathesis infers): submit a
    job, then read, cancel and retry it and ask for its results; create a task, then read
    and retry it; ... Run by schemathesis' engine, as its command line runs them."""
    config = {
        **CONFIG,
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": False},
            "stateful": {"enabled": True, "max-steps": 6},
        },
        "generation": {"max-examples": 50, "deterministic": True},
    }
    linked = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(config))
    linked.app = contract_app
    started = time.monotonic()
    steps: Counter[str] = Counter()
    problems: list[str] = []
    for event in schemathesis.engine.from_schema(linked).execute():
        if isinstance(event, events.ScenarioFinished):
            for node in event.recorder.cases.values():
                steps[node.value.operation.label] += 1
            for checks in event.recorder.checks.values():
                problems += [str(c.failure_info.failure) for c in checks if c.failure_info]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(repr(event))
    assert not problems, "\n\n".join(problems)
    assert steps["POST /v1/tts/jobs"] and steps["POST /v1/tts/jobs/{job_id}/cancel"], steps
    print(f"stateful: {sum(steps.values())} requests in {time.monotonic() - started:.1f} s")
