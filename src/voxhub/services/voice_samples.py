"""Short previews of voices, synthesized once and kept in the object store."""

from __future__ import annotations

import re

from voxhub.access import Access
from voxhub.audio.encode import encode
from voxhub.audio.formats import AudioFormat
from voxhub.objects.base import ObjectStore
from voxhub.services.synthesis import SynthesisRequest, Synthesizer
from voxhub.services.voices.registry import VoiceRegistry


class VoiceSamples:
    """A preview WAV per voice; a registered voice's preview is made again after a change."""

    def __init__(
        self,
        registry: VoiceRegistry,
        synthesizer: Synthesizer,
        objects: ObjectStore,
        texts: dict[str, str],
    ) -> None:
        self._registry = registry
        self._synthesizer = synthesizer
        self._objects = objects
        self._texts = texts

    def sample(self, voice_id: str, access: Access) -> bytes:
        """The preview of `voice_id` (blocking: may synthesize)."""
        record = self._registry.find(voice_id, access)
        if record is not None:
            assert record.updated_at is not None
            stamp = round(record.updated_at.timestamp() * 1000)
            key = f"{sample_prefix(record.id)}/{stamp}.wav"
            language: str | None = record.language
        else:
            # an engine voice: resolved (or refused with 404) by the synthesizer below
            key = f"voices/engine/{_folder(voice_id)}/sample.wav"
            language = None
        if self._objects.exists(key):
            return self._objects.get_bytes(key)
        text = self._texts.get(language or "", "")
        if not text:
            # an engine voice speaks its first language
            plan = self._synthesizer.plan(SynthesisRequest(text="x", voice=voice_id), access)
            language = plan.voice.language
            text = self._texts.get(language) or next(iter(self._texts.values()))
        plan = self._synthesizer.plan(
            SynthesisRequest(text=text, voice=voice_id, language=language, given=frozenset()),
            access,
        )
        result = self._synthesizer.synthesize(plan)
        data = encode(result.samples, result.sample_rate, AudioFormat.WAV)
        name = f"{voice_id.replace(':', '-')}.wav" if voice_id.isascii() else "sample.wav"
        self._objects.put_bytes(key, data, "audio/wav", name)
        return data


def _folder(voice_id: str) -> str:
    """Where an engine voice's sample is kept: `ENGINE/NAME`, or for names object keys
    cannot hold (a generic name such as 女声) their UTF-8 in hex."""
    path = voice_id.replace(":", "/")
    return path if _PLAIN.match(path) else "x" + voice_id.encode().hex()


_PLAIN = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$")


def sample_prefix(voice_id: str) -> str:
    return f"voices/{voice_id}/samples"
