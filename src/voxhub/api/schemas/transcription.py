"""Response bodies of the file transcription routes, for validation-free docs."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WordOut(BaseModel):
    text: str
    start: float = Field(description="seconds from the start of the file")
    end: float
    probability: float | None = None


class SegmentOut(BaseModel):
    id: int
    start: float
    end: float
    text: str
    words: list[WordOut] | None = Field(None, description="when word_timestamps is true")


class TranscriptionOut(BaseModel):
    text: str
    language: str | None = Field(description='"zh" or "en"; null when no speech was found')
    duration: float = Field(description="length of the recording in seconds")
    engine: str
    segments: list[SegmentOut]
    hotwords_applied: bool | None = Field(
        None, description="when hotwords were sent: whether the engine used them"
    )


class OpenAITranscriptionOut(BaseModel):
    text: str
