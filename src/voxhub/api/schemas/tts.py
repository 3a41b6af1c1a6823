"""Request and response bodies of the TTS and voice routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from voxhub.api.schemas.fields import (
    JSON_BODY,
    FormatName,
    LanguageTag,
    OnlineText,
    SampleRate,
    Text,
)
from voxhub.db.repositories.voice_records import DEFAULT_KEYS
from voxhub.engines.tts.base import SynthesisParams
from voxhub.services.synthesis import SynthesisRequest

SubtitleFormat = Literal["srt", "vtt", "json", "all"]


class TTSRequest(BaseModel):
    model_config = JSON_BODY

    text: OnlineText = Field(description="Text to speak (at most 300 characters online).")
    voice: Text | None = Field(
        None, description="Voice id `ENGINE:NAME` or a voice name; the language's default if empty."
    )
    character: Text | None = Field(None, description="Alias of `voice` (IndexTTS clients).")
    language: LanguageTag | None = Field(
        None, description="zh or en (zh-CN, en-US, ... too); detected from the text if empty."
    )
    speed: float = Field(1.0, ge=0.5, le=2.0)
    format: FormatName = Field(
        "wav", description="wav, mp3, opus, aac, flac or pcm (raw 16-bit mono)."
    )
    sample_rate: SampleRate | None = Field(
        None, description="Output sample rate; the engine's if empty."
    )
    subtitle_format: SubtitleFormat = Field(
        "srt", description="srt is always returned; vtt and json cues on request; all for both."
    )
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=1)
    instruction: Text | None = Field(None, max_length=500)

    def to_request(self) -> SynthesisRequest:
        return SynthesisRequest(
            text=self.text,
            voice=self.voice or self.character,
            language=self.language,
            format=self.format,
            sample_rate=self.sample_rate,
            params=SynthesisParams(
                speed=self.speed,
                temperature=self.temperature,
                top_p=self.top_p,
                top_k=self.top_k,
                instruction=self.instruction,
            ),
            # a registered voice's defaults fill the knobs this request left out
            given=frozenset(self.model_fields_set & set(DEFAULT_KEYS)),
        )


class WordOut(BaseModel):
    text: str
    start: float
    end: float


class SentenceOut(BaseModel):
    text: str
    start: float
    end: float


class CueOut(BaseModel):
    index: int
    start: float
    end: float
    text: str


class TTSResponse(BaseModel):
    id: str
    audio_url: str
    format: str
    media_type: str
    duration: float
    sample_rate: int
    voice: str
    language: str
    srt: str
    vtt: str | None = None
    cues: list[CueOut] | None = None
    words: list[WordOut]
    sentences: list[SentenceOut]
