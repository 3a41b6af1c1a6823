"""Registered voices and their aliases in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxhub.db.models import VoiceAliasRow, VoiceRow
from voxhub.db.repositories.voice_records import ReferenceInfo, RegisteredVoice
from voxhub.errors import Conflict, VoiceNotFound


class VoiceStore:
    """Reads and writes of registered voices; an alias names exactly one voice."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, voice: RegisteredVoice) -> None:
        with Session(self._engine) as session:
            try:
                with session.begin():
                    session.add(_row(voice))
                    session.flush()
                    session.add_all(
                        VoiceAliasRow(alias=a, voice_id=voice.id) for a in voice.aliases
                    )
            except IntegrityError as exc:
                raise self._alias_conflict(voice.aliases) from exc

    def get(self, voice_id: str) -> RegisteredVoice:
        found = self.find(voice_id)
        if found is None:
            raise VoiceNotFound(f"No registered voice {voice_id!r}; GET /v1/voices lists them.")
        return found

    def find(self, name: str) -> RegisteredVoice | None:
        """The voice whose id or alias is `name`, or None."""
        with Session(self._engine) as session:
            row = session.get(VoiceRow, name)
            if row is None:
                alias = session.get(VoiceAliasRow, name)
                row = session.get(VoiceRow, alias.voice_id) if alias is not None else None
            return self._record(session, row) if row is not None else None

    def list(self, language: str | None = None, engine: str | None = None) -> list[RegisteredVoice]:
        query = select(VoiceRow).order_by(VoiceRow.created_at, VoiceRow.id)
        if language:
            query = query.where(VoiceRow.language == language)
        if engine:
            query = query.where(VoiceRow.engine == engine)
        with Session(self._engine) as session:
            return [self._record(session, row) for row in session.scalars(query)]

    def replace(self, voice: RegisteredVoice) -> None:
        """Write every field of `voice` over the stored one, aliases included."""
        with Session(self._engine) as session:
            try:
                with session.begin():
                    row = session.get(VoiceRow, voice.id)
                    if row is None:
                        raise VoiceNotFound(f"No registered voice {voice.id!r}.")
                    for key, value in _columns(voice).items():
                        setattr(row, key, value)
                    session.execute(delete(VoiceAliasRow).where(VoiceAliasRow.voice_id == voice.id))
                    session.flush()
                    session.add_all(
                        VoiceAliasRow(alias=a, voice_id=voice.id) for a in voice.aliases
                    )
            except IntegrityError as exc:
                raise self._alias_conflict(voice.aliases) from exc

    def remove(self, voice_id: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(VoiceAliasRow).where(VoiceAliasRow.voice_id == voice_id))
            session.execute(delete(VoiceRow).where(VoiceRow.id == voice_id))

    def _alias_conflict(self, aliases: Sequence[str]) -> Conflict:
        with Session(self._engine) as session:
            taken = session.scalars(
                select(VoiceAliasRow).where(VoiceAliasRow.alias.in_(list(aliases)))
            ).all()
            names = [f"{row.alias!r} (voice {row.voice_id})" for row in taken]
        detail = f"aliases already taken: {', '.join(names)}" if names else "the id is taken"
        return Conflict(f"Cannot register the voice: {detail}.")

    @staticmethod
    def _record(session: Session, row: VoiceRow) -> RegisteredVoice:
        aliases = session.scalars(
            select(VoiceAliasRow.alias)
            .where(VoiceAliasRow.voice_id == row.id)
            .order_by(VoiceAliasRow.alias)
        ).all()
        reference = None
        if row.reference_key:
            reference = ReferenceInfo(
                key=row.reference_key,
                media_type=row.reference_media_type or "application/octet-stream",
                duration=row.reference_duration or 0.0,
                sample_rate=row.reference_sample_rate or 0,
            )
        return RegisteredVoice(
            id=row.id,
            name=row.name,
            language=row.language,
            engine=row.engine,
            aliases=tuple(aliases),
            engine_voice=row.engine_voice,
            reference=reference,
            transcript=row.transcript,
            defaults=dict(row.defaults or {}),
            owner=row.owner,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def _columns(voice: RegisteredVoice) -> dict[str, Any]:
    reference = voice.reference
    updated: datetime | None = voice.updated_at
    return {
        "name": voice.name,
        "language": voice.language,
        "engine": voice.engine,
        "engine_voice": voice.engine_voice,
        "reference_key": reference.key if reference else None,
        "reference_media_type": reference.media_type if reference else None,
        "reference_duration": reference.duration if reference else None,
        "reference_sample_rate": reference.sample_rate if reference else None,
        "transcript": voice.transcript,
        # JSON columns are reassigned, never mutated in place
        "defaults": dict(voice.defaults),
        "owner": voice.owner,
        "updated_at": updated,
    }


def _row(voice: RegisteredVoice) -> VoiceRow:
    return VoiceRow(id=voice.id, created_at=voice.created_at, **_columns(voice))


def _alias_rows(voice: RegisteredVoice) -> list[VoiceAliasRow]:
    return [VoiceAliasRow(alias=alias, voice_id=voice.id) for alias in voice.aliases]
