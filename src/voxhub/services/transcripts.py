"""Transcripts as the API and CLI hand them out: JSON, plain text, SRT and WebVTT."""

from __future__ import annotations

from typing import Any

from voxhub.engines.asr.base import RecognizedSegment, RecognizedWord, Transcript
from voxhub.errors import UnsupportedFormat
from voxhub.subtitles.cues import Cue, CueRules, build_cues
from voxhub.subtitles.formats import to_srt, to_vtt
from voxhub.timing import SentenceTiming, WordTiming

FORMATS = ("json", "text", "srt", "vtt")
MEDIA_TYPES = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}
# what OpenAI's verbose_json calls the languages voxhub recognizes
LANGUAGE_NAMES = {"zh": "chinese", "en": "english"}


def check_format(name: str, allowed: tuple[str, ...] = FORMATS) -> str:
    fmt = name.strip().lower()
    if fmt not in allowed:
        raise UnsupportedFormat(
            f"Response format {name!r} is not supported; use one of: {', '.join(allowed)}."
        )
    return fmt


def transcript_json(transcript: Transcript, words: bool = True) -> dict[str, Any]:
    """voxhub's JSON: text, language, duration and segments (with their words when asked)."""
    return {
        "text": transcript.text,
        "language": transcript.language or None,
        "duration": round(transcript.duration, 3),
        "segments": [_segment_json(i, s, words) for i, s in enumerate(transcript.segments)],
    }


def openai_verbose_json(
    transcript: Transcript, segments: bool = True, words: bool = False
) -> dict[str, Any]:
    """The shape of OpenAI's `verbose_json` transcription response."""
    body: dict[str, Any] = {
        "task": "transcribe",
        "language": LANGUAGE_NAMES.get(transcript.language, transcript.language),
        "duration": round(transcript.duration, 3),
        "text": transcript.text,
    }
    if segments:
        body["segments"] = [
            {"id": i, "seek": 0, "start": _t(s.start), "end": _t(s.end), "text": s.text}
            for i, s in enumerate(transcript.segments)
        ]
    if words:
        body["words"] = [_word_json(w, key="word") for w in transcript.words]
    return body


def subtitle_cues(transcript: Transcript, rules: CueRules) -> list[Cue]:
    """Subtitle cues over the recognized segments, split along their word timings."""
    sentences = [
        SentenceTiming(
            text=s.text,
            start=s.start,
            end=s.end,
            words=tuple(WordTiming(w.text, w.start, w.end) for w in s.words),
        )
        for s in transcript.segments
    ]
    return build_cues(sentences, rules)


def render_text(transcript: Transcript, fmt: str, rules: CueRules) -> str:
    """The transcript as plain text, SRT or WebVTT."""
    if fmt == "text":
        return transcript.text + "\n" if transcript.text else ""
    if fmt == "srt":
        return to_srt(subtitle_cues(transcript, rules))
    if fmt == "vtt":
        return to_vtt(subtitle_cues(transcript, rules))
    raise UnsupportedFormat(f"{fmt!r} is not a text format; use text, srt or vtt.")


def _segment_json(index: int, segment: RecognizedSegment, words: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": index,
        "start": _t(segment.start),
        "end": _t(segment.end),
        "text": segment.text,
    }
    if words:
        body["words"] = [_word_json(w) for w in segment.words]
    return body


def _word_json(word: RecognizedWord, key: str = "text") -> dict[str, Any]:
    body: dict[str, Any] = {key: word.text, "start": _t(word.start), "end": _t(word.end)}
    if word.probability is not None and key == "text":
        body["probability"] = round(word.probability, 3)
    return body


def _t(seconds: float) -> float:
    return round(seconds, 3)
