"""API keys on every supported database: only digests stored, verified, revoked, expired."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.support.backends import MARIADB, POSTGRES, fresh_database, require_server
from voxhub.db.repositories.api_keys import ApiKeyStore
from voxhub.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from voxhub.services.auth.keys import KeyRing, KeySpec, digest_of


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'keys.db'}"
    else:
        url = require_server(POSTGRES if request.param == "postgresql" else MARIADB)
    engine = fresh_database(url)
    yield engine
    engine.dispose()


@pytest.fixture
def ring(database: Engine) -> KeyRing:
    return KeyRing(ApiKeyStore(database))


def test_a_key_is_returned_once_and_only_its_digest_is_stored(
    ring: KeyRing, database: Engine
) -> None:
    record, key = ring.create(KeySpec("alice", scopes=("tts", "jobs")))
    assert key.startswith("vxk_") and len(key) > 50
    with database.connect() as connection:
        rows = [tuple(map(str, row)) for row in connection.execute(text("SELECT * FROM api_keys"))]
    assert rows, "the key was not stored"
    stored = " ".join(" ".join(row) for row in rows)
    assert key not in stored
    assert key.split("_", 2)[2] not in stored, "the secret part of the key is stored"
    assert digest_of(key) in stored
    access = ring.verify(key).access
    assert (access.tenant, access.key, access.admin) == ("alice", "alice", False)
    assert access.scopes == frozenset({"tts", "jobs"})
    assert record.tenant == "alice"


def test_wrong_revoked_and_expired_keys_are_refused_without_echoing_them(ring: KeyRing) -> None:
    _, key = ring.create(KeySpec("bob"))
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (forged, "vxk_nosuchkey123_" + "x" * 43, "sk-not-ours", ""):
        with pytest.raises(Unauthenticated) as caught:
            ring.verify(bad)
        assert bad == "" or bad not in caught.value.message
    _, brief = ring.create(KeySpec("brief", expires_in_days=0.5 / 86_400))
    ring.verify(brief)
    time.sleep(0.6)
    with pytest.raises(Unauthenticated, match="expired"):
        ring.verify(brief)
    ring.revoke("bob")
    with pytest.raises(Unauthenticated, match="revoked"):
        ring.verify(key)
    states = {r.name: r.revoked_at is not None for r in ring.list()}
    assert states == {"bob": True, "brief": False}


def test_bad_specs_are_refused_before_anything_is_stored(ring: KeyRing) -> None:
    with pytest.raises(InvalidInput, match="scopes"):
        ring.create(KeySpec("x", scopes=("tts", "admin")))
    with pytest.raises(InvalidInput, match="name"):
        ring.create(KeySpec("has space"))
    with pytest.raises(InvalidInput, match="--expires"):
        ring.create(KeySpec("x", expires_in_days=0))
    ring.create(KeySpec("x"))
    with pytest.raises(Conflict):
        ring.create(KeySpec("x"))
    with pytest.raises(NotFound):
        ring.revoke("nobody")
    assert [r.name for r in ring.list()] == ["x"]


def test_last_use_is_recorded(ring: KeyRing) -> None:
    _, key = ring.create(KeySpec("carol", tenant="acme", admin=True))
    assert ring.list()[0].last_used_at is None
    access = ring.verify(key).access
    assert (access.tenant, access.admin) == ("acme", True)
    assert ring.list()[0].last_used_at is not None
