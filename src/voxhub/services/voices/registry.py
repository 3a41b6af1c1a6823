"""Register, change, remove and look up voices; reference audio lives in the object store."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voxhub.access import Access
from voxhub.db.models import utcnow
from voxhub.db.repositories.jobs import JobStore
from voxhub.db.repositories.voice_records import DEFAULT_KEYS, ReferenceInfo, RegisteredVoice
from voxhub.db.repositories.voices import VoiceStore
from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import TTSEngine, Voice, VoiceReference
from voxhub.errors import (
    CloningNotSupported,
    Conflict,
    EngineNotFound,
    Forbidden,
    InvalidInput,
    VoiceInUse,
    VoiceNotFound,
)
from voxhub.objects.base import ObjectStore
from voxhub.services.voices.catalog import find_engine_voice
from voxhub.services.voices.defaults import default_params
from voxhub.services.voices.references import CheckedReference, ReferenceFetcher, ReferenceLimits
from voxhub.services.voices.references import check_reference as check_reference_audio
from voxhub.text.language import detect_language, normalize_language_tag

# reference recordings kept in memory per process, so each synthesis does not refetch them
_CACHED_REFERENCES = 32


@dataclass(frozen=True)
class VoiceDraft:
    """What a caller asks to register."""

    name: str
    engine: str | None = None
    language: str | None = None
    engine_voice: str | None = None
    transcript: str | None = None
    aliases: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    owner: str | None = None


class VoiceRegistry:
    """The registered voices of every process: rows in the database, recordings in storage."""

    def __init__(
        self,
        store: VoiceStore,
        objects: ObjectStore,
        engines: EnginePool,
        jobs: JobStore,
        fetcher: ReferenceFetcher,
        limits: ReferenceLimits,
    ) -> None:
        self._store = store
        self._objects = objects
        self._engines = engines
        self._jobs = jobs
        self._fetcher = fetcher
        self._limits = limits
        self._references: OrderedDict[str, bytes] = OrderedDict()
        self._references_lock = threading.Lock()

    # -- reading --

    def get(self, voice_id: str, access: Access) -> RegisteredVoice:
        found = self.find(voice_id, access)
        if found is None:
            raise VoiceNotFound(f"No registered voice {voice_id!r}; GET /v1/voices lists them.")
        return found

    def find(self, name: str, access: Access) -> RegisteredVoice | None:
        """The voice whose id or alias is `name`, if `access` may see it: its tenant's voices
        and the shared ones (registered without an owner); others are not found."""
        record = self._store.find(name)
        return record if record is not None and _visible(record, access) else None

    def list(
        self, access: Access, language: str | None = None, engine: str | None = None
    ) -> list[RegisteredVoice]:
        return [r for r in self._store.list(language, engine) if _visible(r, access)]

    def lookup(self, name: str, access: Access) -> tuple[TTSEngine, Voice] | None:
        """The engine and voice a request naming `name` speaks with, if `name` is registered
        and `access` may use it."""
        record = self.find(name, access)
        if record is None:
            return None
        engine = self._engine(record.engine)
        if record.reference is None:
            assert record.engine_voice is not None
            base = find_engine_voice(engine, record.engine_voice)
            return engine, dataclasses.replace(base, defaults=default_params(record))
        self._require_cloning(engine, record)
        reference = VoiceReference(
            audio=self._reference_bytes(record.reference.key),
            media_type=record.reference.media_type,
            transcript=record.transcript or "",
            duration=record.reference.duration,
        )
        voice = Voice(
            id=record.id,
            name=record.name,
            engine=record.engine,
            languages=(record.language,),
            description=f"cloned from a {record.reference.duration:.1f} s recording",
            reference=reference,
            defaults=default_params(record),
        )
        return engine, voice

    def reference_audio(self, voice_id: str, access: Access) -> tuple[bytes, str]:
        record = self.get(voice_id, access)
        if record.reference is None:
            raise VoiceNotFound(f"Voice {voice_id!r} has no reference recording.")
        return self._reference_bytes(record.reference.key), record.reference.media_type

    # -- writing --

    def check_reference(self, audio: bytes | None, audio_url: str | None) -> CheckedReference:
        """The reference recording of a new template, uploaded or fetched (blocking)."""
        if audio is not None and audio_url:
            raise InvalidInput("Send the reference audio as a file or as audio_url, not both.")
        if audio_url:
            audio = self._fetcher.fetch(audio_url)
        if audio is None:
            raise InvalidInput("A cloning voice needs reference audio: a file or audio_url.")
        return check_reference_audio(audio, self._limits)

    def register(self, draft: VoiceDraft, reference: CheckedReference | None) -> RegisteredVoice:
        name = draft.name.strip()
        if not name:
            raise InvalidInput("A voice needs a name.")
        defaults = _defaults(draft.defaults)
        aliases = _aliases(draft.aliases)
        voice_id = f"v{uuid.uuid4().hex[:20]}"
        now = utcnow()
        if reference is None:
            record = self._engine_voice_record(voice_id, name, draft, aliases, defaults)
        else:
            engine = self._engine(draft.engine or self._cloning_engine())
            transcript = (draft.transcript or "").strip()
            if not transcript:
                raise InvalidInput(
                    "A cloning voice needs the transcript of its reference audio "
                    "(the `transcript` field): the engine aligns the recording with it."
                )
            language = _language(draft.language) or detect_language(transcript)
            key = f"voices/{voice_id}/reference.{reference.extension}"
            record = RegisteredVoice(
                id=voice_id,
                name=name,
                language=language,
                engine=engine.name,
                aliases=aliases,
                reference=ReferenceInfo(
                    key, reference.media_type, reference.duration, reference.sample_rate
                ),
                transcript=transcript,
                defaults=defaults,
                owner=draft.owner,
            )
            self._require_cloning(engine, record)
            self._objects.put_bytes(key, reference.data, reference.media_type)
        record = dataclasses.replace(record, created_at=now, updated_at=now)
        try:
            self._store.add(record)
        except Conflict:
            self._objects.delete_prefix(f"voices/{voice_id}")
            raise
        return self._store.get(voice_id)

    def update(self, voice_id: str, changes: Mapping[str, Any], access: Access) -> RegisteredVoice:
        """Change name, language, aliases, transcript, engine or defaults of a voice."""
        record = self._owned(voice_id, access)
        updated = record
        if "name" in changes and changes["name"] is not None:
            name = str(changes["name"]).strip()
            if not name:
                raise InvalidInput("A voice needs a name.")
            updated = dataclasses.replace(updated, name=name)
        if changes.get("language"):
            updated = dataclasses.replace(updated, language=_language(changes["language"]) or "")
        if changes.get("aliases") is not None:
            updated = dataclasses.replace(updated, aliases=_aliases(changes["aliases"]))
        if changes.get("transcript") is not None:
            if record.reference is not None and not str(changes["transcript"]).strip():
                raise InvalidInput("A cloning voice's transcript cannot be empty.")
            updated = dataclasses.replace(updated, transcript=str(changes["transcript"]).strip())
        if changes.get("defaults") is not None:
            merged = {**record.defaults, **_defaults(changes["defaults"])}
            updated = dataclasses.replace(updated, defaults=_drop_none(merged))
        if changes.get("engine") and changes["engine"] != record.engine:
            engine = self._engine(changes["engine"])
            if record.reference is None:
                raise InvalidInput(
                    "An engine voice keeps its engine; register a new voice for another engine."
                )
            self._require_cloning(engine, updated)
            updated = dataclasses.replace(updated, engine=engine.name)
        updated = dataclasses.replace(updated, updated_at=utcnow())
        self._store.replace(updated)
        # the preview spoke with the old settings
        self._objects.delete_prefix(f"voices/{record.id}/samples")
        return self._store.get(voice_id)

    def delete(self, voice_id: str, access: Access) -> None:
        record = self._owned(voice_id, access)
        using = self._jobs.active_jobs_with_voice(record.id)
        if using:
            shown = ", ".join(using[:5]) + (" …" if len(using) > 5 else "")
            raise VoiceInUse(
                f"Voice {record.id!r} is used by {len(using)} queued or running job(s) "
                f"({shown}); cancel them or wait until they finish, then delete it."
            )
        self._store.remove(record.id)
        self._objects.delete_prefix(f"voices/{record.id}")
        with self._references_lock:
            for key in [k for k in self._references if k.startswith(f"voices/{record.id}/")]:
                del self._references[key]

    # -- helpers --

    def _owned(self, voice_id: str, access: Access) -> RegisteredVoice:
        """A voice `access` may change: its tenant's own, or any for an administrator."""
        record = self.get(voice_id, access)
        if not access.sees(record.owner):
            raise Forbidden(
                f"Voice {record.id!r} is shared by every tenant; only an administrator key "
                "can change or delete it."
            )
        return record

    def _engine(self, name: str) -> TTSEngine:
        try:
            return self._engines.get(name)
        except EngineNotFound as exc:
            raise InvalidInput(exc.message) from exc

    def _cloning_engine(self) -> str:
        for name in self._engines.enabled:
            if self._engines.get(name).capabilities.cloning:
                return name
        raise CloningNotSupported(
            "No enabled engine can clone a voice (enabled: "
            f"{', '.join(self._engines.enabled)}); enable one that can, such as `remote`, "
            "with VOXHUB_ENGINES__ENABLED."
        )

    def _require_cloning(self, engine: TTSEngine, record: RegisteredVoice) -> None:
        if not engine.capabilities.cloning:
            raise CloningNotSupported(
                f"Voice {record.id!r} ({record.name}) is a cloning template, and engine "
                f"{engine.name!r} cannot clone; use an engine that can, such as `remote`."
            )

    def _engine_voice_record(
        self,
        voice_id: str,
        name: str,
        draft: VoiceDraft,
        aliases: tuple[str, ...],
        defaults: dict[str, Any],
    ) -> RegisteredVoice:
        if not draft.engine_voice:
            raise InvalidInput(
                "Register either a cloning voice (reference audio + transcript) or an engine "
                "voice (`engine_voice`, such as kokoro:jm_kumo) with its own name and defaults."
            )
        engine_name, sep, _ = draft.engine_voice.partition(":")
        if not sep:
            raise InvalidInput(f"engine_voice {draft.engine_voice!r} must be ENGINE:NAME.")
        if draft.engine and draft.engine != engine_name:
            raise InvalidInput(
                f"engine {draft.engine!r} does not match engine_voice {draft.engine_voice!r}."
            )
        engine = self._engine(engine_name)
        base = find_engine_voice(engine, draft.engine_voice)
        language = _language(draft.language) or base.language
        if language not in base.languages:
            raise InvalidInput(
                f"Voice {base.id!r} speaks {', '.join(base.languages)}, not {language!r}."
            )
        return RegisteredVoice(
            id=voice_id,
            name=name,
            language=language,
            engine=engine.name,
            aliases=aliases,
            engine_voice=base.id,
            transcript=draft.transcript,
            defaults=defaults,
            owner=draft.owner,
        )

    def _reference_bytes(self, key: str) -> bytes:
        with self._references_lock:
            data = self._references.get(key)
            if data is not None:
                self._references.move_to_end(key)
                return data
        data = self._objects.get_bytes(key)
        with self._references_lock:
            self._references[key] = data
            while len(self._references) > _CACHED_REFERENCES:
                self._references.popitem(last=False)
        return data


def _visible(record: RegisteredVoice, access: Access) -> bool:
    # voices registered without an owner (authentication off, or fetched from the cloning
    # template site) are shared, like engine voices
    return record.owner is None or access.sees(record.owner)


def _language(value: Any) -> str | None:
    return normalize_language_tag(str(value)) if value else None


def _aliases(values: Any) -> tuple[str, ...]:
    aliases: list[str] = []
    for value in values or ():
        alias = str(value).strip()
        if not alias:
            continue
        if ":" in alias:
            raise InvalidInput(f"Alias {alias!r} may not contain ':' (kept for ENGINE:NAME ids).")
        if len(alias) > 200:
            raise InvalidInput(f"Alias {alias[:20]!r}… is longer than 200 characters.")
        if alias not in aliases:
            aliases.append(alias)
    return tuple(aliases)


def _defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(DEFAULT_KEYS)
    if unknown:
        raise InvalidInput(
            f"Unknown voice defaults {sorted(unknown)}; known: {', '.join(DEFAULT_KEYS)}."
        )
    return _drop_none(dict(values))


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
