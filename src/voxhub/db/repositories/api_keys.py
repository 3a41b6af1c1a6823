"""API keys in the database: only digests, looked up by the public id a key carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxhub.access import KeyLimits
from voxhub.db.models import ApiKeyRow
from voxhub.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: str
    name: str
    tenant: str
    digest: str
    admin: bool
    scopes: tuple[str, ...]
    limits: KeyLimits
    created_at: datetime
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


class ApiKeyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, record: KeyRecord) -> None:
        row = ApiKeyRow(
            id=record.id,
            name=record.name,
            tenant=record.tenant,
            digest=record.digest,
            admin=record.admin,
            scopes=list(record.scopes),
            requests_per_minute=record.limits.requests_per_minute,
            concurrent_jobs=record.limits.concurrent_jobs,
            characters_per_day=record.limits.characters_per_day,
            asr_connections=record.limits.asr_connections,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
        except IntegrityError as exc:
            raise Conflict(
                f"A key named {record.name!r} exists; revoke it or choose another name."
            ) from exc

    def by_id(self, key_id: str) -> KeyRecord | None:
        with Session(self._engine) as session:
            row = session.get(ApiKeyRow, key_id)
            return _record(row) if row is not None else None

    def by_name(self, name: str) -> KeyRecord | None:
        with Session(self._engine) as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.name == name)).first()
            return _record(row) if row is not None else None

    def all(self) -> list[KeyRecord]:
        query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.name)
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def revoke(self, name: str, now: datetime) -> KeyRecord:
        with Session(self._engine) as session, session.begin():
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.name == name)).first()
            if row is None:
                raise NotFound(f"No key named {name!r}; `voxhub keys list` shows the keys.")
            if row.revoked_at is None:
                row.revoked_at = now
            return _record(row)

    def touch(self, key_id: str, now: datetime) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=now)
            )


def _record(row: ApiKeyRow) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        name=row.name,
        tenant=row.tenant,
        digest=row.digest,
        admin=row.admin,
        scopes=tuple(row.scopes),
        limits=KeyLimits(
            requests_per_minute=row.requests_per_minute,
            concurrent_jobs=row.concurrent_jobs,
            characters_per_day=row.characters_per_day,
            asr_connections=row.asr_connections,
        ),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )
