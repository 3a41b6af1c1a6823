"""Bodies of the GLM-TTS service's routes, and how voxhub's answers become them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from voxhub.db.repositories.voice_records import RegisteredVoice

# what that service said on success (its clients may log or compare it)
SUCCESS_MESSAGE = "TTS generation successful"


class GLMTTSResponse(BaseModel):
    """The JSON answer of POST /api/v1/tts: base64 WAV and how long it took."""

    success: bool
    message: str
    audio_base64: str | None = Field(None, description="the WAV file (16-bit mono), base64")
    sample_rate: int | None = None
    generation_time: float | None = Field(None, description="seconds, two decimals")
    error: str | None = None


class PromptConfig(BaseModel):
    prompt_audio_path: str = Field(
        description="URL of the voice's reference recording (a cloning template) or of a "
        "preview of it (an engine voice)"
    )
    prompt_text: str = Field(description="what the reference recording says")


class PromptEntry(BaseModel):
    index: str
    config: PromptConfig
    voice: str = Field(description="the voxhub voice the index names")


class PromptList(BaseModel):
    success: bool = True
    prompts: list[PromptEntry]


def prompt_indexes(voice: RegisteredVoice) -> list[str]:
    """The names a GLM-TTS `index` reaches a registered voice by: its aliases, else its id."""
    return list(voice.aliases) or [voice.id]


def prompt_entry(voice: RegisteredVoice, index: str, audio_url: str) -> PromptEntry:
    return PromptEntry(
        index=index,
        config=PromptConfig(prompt_audio_path=audio_url, prompt_text=voice.transcript or ""),
        voice=voice.id,
    )


def audio_path(voice: RegisteredVoice) -> str:
    """The voxhub path of a voice's prompt audio: its reference recording, or its preview."""
    kind = "reference" if voice.cloning else "sample"
    return f"/v1/voices/{voice.id}/{kind}"
