"""Subtitles: cues from timings, rendered as SRT, WebVTT and JSON."""
