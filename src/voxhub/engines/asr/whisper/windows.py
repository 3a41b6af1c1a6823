"""Where whisper decodes: windows of nearby speech, and segments moved back to recording time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from voxhub.engines.asr.base import RecognizedSegment
from voxhub.engines.asr.vad import SpeechSpan

SAMPLE_RATE = 16_000
# whisper reads 30 s at once: files are decoded in windows of nearby speech up to this long
WINDOW_SECONDS = 28.0
WINDOW_GAP_SECONDS = 2.0


def speech_windows(spans: Sequence[SpeechSpan]) -> list[SpeechSpan]:
    """Group nearby speech spans into windows whisper decodes in one pass."""
    longest = round(WINDOW_SECONDS * SAMPLE_RATE)
    gap = round(WINDOW_GAP_SECONDS * SAMPLE_RATE)
    windows: list[SpeechSpan] = []
    for span in spans:
        last = windows[-1] if windows else None
        if last and span.start - last.end <= gap and span.end - last.start <= longest:
            windows[-1] = SpeechSpan(last.start, span.end)
        else:
            windows.append(span)
    return windows


def shift_segments(
    segments: Sequence[RecognizedSegment], span: SpeechSpan
) -> list[RecognizedSegment]:
    """Segments decoded from `span`'s audio, moved to the recording's time and kept inside it."""
    offset = span.start / SAMPLE_RATE
    limit = span.end / SAMPLE_RATE

    def place(t: float) -> float:
        return min(max(offset + t, offset), limit)

    return [
        replace(
            segment,
            start=place(segment.start),
            end=place(segment.end),
            words=tuple(replace(w, start=place(w.start), end=place(w.end)) for w in segment.words),
        )
        for segment in segments
    ]
