"""Cloning templates by id: a registered voice, else fetched from the template site once."""

from __future__ import annotations

from urllib.parse import quote

from voxhub.access import Access
from voxhub.errors import Conflict, InvalidInput, VoiceNotFound
from voxhub.services.voices.references import ReferenceFetcher
from voxhub.services.voices.registry import VoiceDraft, VoiceRegistry

# what the cloning backend's template site serves for each template
AUDIO_FILE = "source_audio.mp3"
TRANSCRIPT_FILE = "source_transcript.txt"
# aliases are at most this long (the registry's own bound)
_LONGEST_ID = 200


class TemplateSource:
    """Finds the voice a template id names: a registered voice whose id or alias it is, or,
    when a template site is configured, the site's recording and transcript, downloaded
    under the outbound address rules and registered with the id as alias (so only the
    first request for a template downloads it)."""

    def __init__(self, registry: VoiceRegistry, fetcher: ReferenceFetcher, site: str) -> None:
        self._registry = registry
        self._fetcher = fetcher
        self._site = site.rstrip("/")

    def voice_for(self, template_id: str, access: Access) -> str:
        """The id of the registered voice that speaks `template_id` (blocking: may download).
        Templates fetched from the site are shared by every tenant."""
        _check(template_id)
        found = self._registry.find(template_id, access)
        if found is not None:
            return found.id
        if not self._site:
            raise VoiceNotFound(
                f"Unknown templateId {template_id!r}: no registered voice has it as alias. "
                f"Register the template (POST /v1/voices with aliases={template_id}), or set "
                "VOXHUB_COMPAT__CLONING_TEMPLATE_URL to fetch templates from their site."
            )
        return self._fetch(template_id, access)

    def urls(self, template_id: str) -> tuple[str, str]:
        """Where the site keeps the template's recording and its transcript."""
        folder = f"{self._site}/{quote(template_id, safe='')}"
        return f"{folder}/{AUDIO_FILE}", f"{folder}/{TRANSCRIPT_FILE}"

    def _fetch(self, template_id: str, access: Access) -> str:
        audio_url, transcript_url = self.urls(template_id)
        # the recording first: a template the site does not have fails on it, naming its URL
        reference = self._registry.check_reference(None, audio_url)
        transcript = _text(self._fetcher.fetch(transcript_url), transcript_url)
        draft = VoiceDraft(name=template_id, transcript=transcript, aliases=(template_id,))
        try:
            return self._registry.register(draft, reference).id
        except Conflict:
            # a concurrent request registered the same template first: speak with that one
            found = self._registry.find(template_id, access)
            if found is None:
                raise
            return found.id


def _check(template_id: str) -> None:
    if not template_id.strip():
        raise InvalidInput("templateId is empty: send the id of the voice template to clone.")
    if len(template_id) > _LONGEST_ID:
        raise InvalidInput(f"templateId is longer than {_LONGEST_ID} characters.")
    # ':' is kept for ENGINE:NAME voice ids; '.' and '..' would leave the template's folder
    if ":" in template_id or template_id in (".", "..") or not template_id.isprintable():
        raise InvalidInput(
            f"templateId {template_id!r} is not a template id: it may not contain ':' or "
            "control characters, nor be '.' or '..'."
        )


def _text(data: bytes, url: str) -> str:
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise InvalidInput(f"{url} is not UTF-8 text; the transcript must be.") from None
    if not text:
        raise InvalidInput(f"{url} is empty; a template needs the transcript of its recording.")
    return text
