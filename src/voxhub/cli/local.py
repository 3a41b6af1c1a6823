"""Speak text in this process and write audio and subtitle files (the `voxhub say` command)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voxhub.audio.encode import encode
from voxhub.audio.resample import resample
from voxhub.container import Container
from voxhub.engines.tts.base import SynthesisParams
from voxhub.services.synthesis import SynthesisRequest, merge_silent
from voxhub.settings import Settings
from voxhub.subtitles.cues import build_cues
from voxhub.subtitles.formats import to_srt, to_vtt

# a local run is bounded by the long-text job limit, not the online one
LOCAL_MAX_CHARS = 50_000


def speak_to_files(
    settings: Settings,
    text: str,
    *,
    output: Path,
    voice: str | None,
    language: str | None,
    audio_format: str,
    speed: float,
    sample_rate: int | None,
    srt: Path | None,
    vtt: Path | None,
) -> str:
    """Synthesize with a progress bar on stderr; returns a one-line summary."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    container = Container.build(settings)
    # registered voices are found by name too
    container.migrate_embedded()
    synthesizer = container.synthesizer
    request = SynthesisRequest(
        text=text,
        voice=voice,
        language=language,
        format=audio_format,
        sample_rate=sample_rate,
        params=SynthesisParams(speed=speed),
    )
    plan = synthesizer.plan(request, max_chars=LOCAL_MAX_CHARS)
    parts = []
    with Progress(
        TextColumn("[bold]speaking"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} sentences"),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("speak", total=len(plan.sentences))
        for item in synthesizer.sentences(plan):
            parts.append(item)
            progress.advance(task)
    samples = np.concatenate([p.samples for p in parts]) if parts else np.zeros(0, np.float32)
    samples = resample(samples, plan.engine_rate, plan.sample_rate)
    output.write_bytes(encode(samples, plan.sample_rate, plan.format))
    cues = build_cues(merge_silent([p.timing for p in parts]), container.cue_rules)
    if srt is not None:
        srt.write_text(to_srt(cues), encoding="utf-8")
    if vtt is not None:
        vtt.write_text(to_vtt(cues), encoding="utf-8")
    duration = len(samples) / plan.sample_rate
    return (
        f"{output}: {duration:.2f} s, {plan.sample_rate} Hz, voice {plan.voice.id}, "
        f"language {plan.language}, {len(cues)} subtitle cues"
    )
