"""Settings of the routes of the services voxhub replaces."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CompatSettings(BaseModel):
    """The routes of the services voxhub replaces (see the README's compatibility section)."""

    # the cloning backend's template source: `{url}/{templateId}/source_audio.mp3` and
    # `source_transcript.txt`, fetched once (webhook address rules) and kept as a template
    cloning_template_url: str = ""
    # seconds POST /api/tts holds its answer for the task to finish (then `audio_url`); a
    # task still running then, or retrying after a failure, is answered `started` at once
    cloning_wait: float = Field(30.0, ge=0)
    # IndexTTS's POST /tts/online also answers with the audio itself, base64 in
    # `audio_base64` (up to ~5 MB of JSON for 300 characters of wav); false: only `audio_url`
    indextts_inline_audio: bool = True
    # longest text GLM-TTS's POST /api/v1/tts takes (that service had no limit); 0 means
    # VOXHUB_ONLINE__MAX_CHARS. Longer texts stay in the long class, with its deadline
    glmtts_max_chars: int = Field(0, ge=0)
