"""Request and response bodies of the voice registry routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from voxhub.api.schemas.fields import JSON_BODY, TEXT, Documented, LanguageTag, NonBlank, Text

# another name of a voice: no ':' (ENGINE:NAME ids have one), at most 200 characters
Alias = Annotated[str, TEXT, Documented({"pattern": r"^[^\x00:]*$", "maxLength": 200})]


class VoiceDefaults(BaseModel):
    """Knobs a registered voice speaks with when a request leaves them out."""

    model_config = JSON_BODY

    speed: float | None = Field(None, ge=0.5, le=2.0)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=1)
    instruction: Text | None = Field(None, max_length=500)


class ReferenceOut(BaseModel):
    media_type: str
    duration: float
    sample_rate: int
    url: str


class VoiceOut(BaseModel):
    id: str
    name: str
    engine: str
    language: str
    languages: list[str]
    gender: str | None = None
    description: str = ""
    kind: Literal["engine", "registered"] = "engine"
    cloning: bool = False
    aliases: list[str] = Field(default_factory=list)
    engine_voice: str | None = None
    transcript: str | None = None
    defaults: VoiceDefaults | None = None
    reference: ReferenceOut | None = None
    owner: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sample_url: str | None = None


class VoiceList(BaseModel):
    voices: list[VoiceOut]
    defaults: dict[str, str] = Field(description="The voice used for each language by default.")


class VoicePatch(BaseModel):
    """Fields of a registered voice to change; the ones left out stay as they are."""

    model_config = JSON_BODY

    name: NonBlank | None = Field(None, min_length=1, max_length=200)
    language: LanguageTag | None = None
    aliases: list[Alias] | None = Field(None, description="Replaces every alias.")
    transcript: Text | None = None
    engine: Text | None = Field(None, description="Another engine that can clone (templates).")
    defaults: VoiceDefaults | None = Field(
        None, description="Merged into the current defaults; null values leave one unchanged."
    )
