"""Create, list, revoke and verify API keys; a key's secret exists only in its creator's hands."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from voxhub.access import SCOPES, Access, KeyLimits
from voxhub.db.models import utcnow
from voxhub.db.repositories.api_keys import ApiKeyStore, KeyRecord
from voxhub.errors import InvalidInput, Unauthenticated

PREFIX = "vxk_"
_KEY = re.compile(r"^vxk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# a verified key is trusted this long before the database is asked again, so revoking a
# key takes effect within this many seconds in every process
_CACHE_SECONDS = 5.0
# last-used times are written at most this often per key
_TOUCH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class KeySpec:
    name: str
    tenant: str | None = None
    admin: bool = False
    scopes: tuple[str, ...] = SCOPES
    limits: KeyLimits = field(default_factory=KeyLimits)
    expires_in_days: float | None = None


@dataclass(frozen=True, slots=True)
class VerifiedKey:
    record: KeyRecord

    @property
    def access(self) -> Access:
        r = self.record
        return Access(
            tenant=r.tenant,
            admin=r.admin,
            scopes=frozenset(r.scopes),
            key=r.name,
            limits=r.limits,
        )


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """The keys of a deployment; verification is cached briefly per process."""

    def __init__(self, store: ApiKeyStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, KeyRecord]] = {}
        self._touched: dict[str, float] = {}

    def create(self, spec: KeySpec) -> tuple[KeyRecord, str]:
        """A new key and its record; the key itself is returned once and never stored."""
        _check_spec(spec)
        key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
        key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = utcnow()
        expires = None
        if spec.expires_in_days is not None:
            expires = now + timedelta(days=spec.expires_in_days)
        record = KeyRecord(
            id=key_id,
            name=spec.name,
            tenant=spec.tenant or spec.name,
            digest=digest_of(key),
            admin=spec.admin,
            scopes=tuple(sorted(set(spec.scopes))),
            limits=spec.limits,
            created_at=now,
            expires_at=expires,
        )
        self._store.add(record)
        return record, key

    def list(self) -> list[KeyRecord]:
        return self._store.all()

    def revoke(self, name: str) -> KeyRecord:
        record = self._store.revoke(name, utcnow())
        with self._lock:
            self._cache.pop(record.id, None)
        return record

    def verify(self, key: str) -> VerifiedKey:
        """The key's record, or Unauthenticated with a message that never repeats the key."""
        match = _KEY.match(key)
        if match is None:
            raise Unauthenticated(
                "The API key is not a voxhub key (they start with vxk_); check what was sent."
            )
        key_id = match.group(1)
        record = self._record(key_id)
        # compare digests in constant time, whether or not the id was found
        expected = record.digest if record is not None else digest_of("")
        if not hmac.compare_digest(expected, digest_of(key)) or record is None:
            raise Unauthenticated("The API key is not valid; ask an administrator for a key.")
        return self._usable(record)

    def verify_id(self, key_id: str) -> VerifiedKey:
        """The key behind a minted token, if it is still usable."""
        record = self._record(key_id)
        if record is None:
            raise Unauthenticated("The key that minted this token no longer exists.")
        return self._usable(record)

    def named(self, name: str) -> KeyRecord:
        record = self._store.by_name(name)
        if record is None:
            raise Unauthenticated(f"The key {name!r} no longer exists.")
        return record

    def _usable(self, record: KeyRecord) -> VerifiedKey:
        now = utcnow()
        if record.revoked_at is not None:
            raise Unauthenticated(f"The API key {record.name!r} was revoked.")
        if record.expires_at is not None and now >= record.expires_at:
            raise Unauthenticated(
                f"The API key {record.name!r} expired at {record.expires_at.isoformat()}."
            )
        self._touch(record.id, now)
        return VerifiedKey(record)

    def _record(self, key_id: str) -> KeyRecord | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        record = self._store.by_id(key_id)
        if record is not None:
            with self._lock:
                self._cache[key_id] = (now, record)
        return record

    def _touch(self, key_id: str, now: datetime) -> None:
        tick = time.monotonic()
        with self._lock:
            if tick - self._touched.get(key_id, -_TOUCH_SECONDS) < _TOUCH_SECONDS:
                return
            self._touched[key_id] = tick
        self._store.touch(key_id, now)


def _check_spec(spec: KeySpec) -> None:
    for value, what in ((spec.name, "name"), (spec.tenant, "tenant")):
        if value is not None and not _NAME.match(value):
            raise InvalidInput(
                f"Key {what} {value!r} is not usable: 1-64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit."
            )
    unknown = set(spec.scopes) - set(SCOPES)
    if unknown or not spec.scopes:
        raise InvalidInput(
            f"Unknown scopes {', '.join(sorted(unknown)) or '(none given)'}; "
            f"use some of {', '.join(SCOPES)}."
        )
    if spec.expires_in_days is not None and spec.expires_in_days <= 0:
        raise InvalidInput("--expires takes a positive number of days.")
