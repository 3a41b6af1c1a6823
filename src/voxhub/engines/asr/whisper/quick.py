"""Whisper decodes on a window cut to the audio, for streaming partials and segments.

faster-whisper pads every decode to whisper's 30 s window, so the encoder costs the same for
1 s or 25 s of audio (about 0.6 s on one core for whisper-base). The encoder accepts shorter
inputs: cut to the audio plus three seconds of silence (where whisper ends its transcript),
a segment of a few seconds decodes about 4× faster with the same words (measured on English
and Mandarin speech). A decode that loops on a phrase, as whisper sometimes does on a cut
window, is flagged so the caller decodes the full window instead. Files keep faster-whisper's
whole pipeline (30 s windows, timestamps, temperature fallback).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from voxhub.engines.asr.base import Samples

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

SAMPLE_RATE = 16_000
# encoder frames are 10 ms; whisper's whole window is 3,000 of them
FRAMES_PER_SECOND = 100
MAX_FRAMES = 3000
# silence after the speech, so the decoder sees where it ends (with one second, whisper
# sometimes said a sentence twice; with three, not once in the tests' speech)
TAIL_FRAMES = 300
# tokens of one decode: more than 25 s of fast speech needs
MAX_TOKENS = 200
TOKENS_PER_SECOND = 8
# faster-whisper's threshold: text that zlib compresses better than this repeats itself
MAX_COMPRESSION_RATIO = 2.4
# a run of this many tokens said twice marks a looping decode
MIN_REPEATED_RUN = 6
# a decode ending with this many of its first tokens went back to the start
MIN_RESTART_TOKENS = 3
# the previous-text prompt whisper takes is at most half its 448-token context
MAX_PROMPT_TOKENS = 223
# a segment's last word ending this long before its speech does: the decoder stopped early
MAX_UNHEARD_TAIL = 0.6
# 20 ms frames; one this much quieter (RMS) than the segment's loudest is past the speech
LOUDNESS_FRAME = SAMPLE_RATE // 50
QUIET_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class QuickDecode:
    """Text of a short-window decode and, when asked, its words: (word, start, end, p)."""

    text: str
    words: list[tuple[str, float, float, float]] = field(default_factory=list)
    # the output repeats itself (or ran to the token limit): not to be trusted
    degenerate: bool = False

    def stops_early(self, speech_end: float) -> bool:
        """Whether the words end well before the speech does (`speech_end` seconds): on a
        cut window whisper now and then ends its transcript early ("…a short trip to")."""
        return bool(self.words) and speech_end - self.words[-1][2] > MAX_UNHEARD_TAIL


def speech_end(samples: Samples) -> float:
    """Seconds to the end of the last frame loud enough to be speech (the VAD's padding and
    closing silence, and a pause before `stop`, come after it)."""
    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    frames = len(audio) // LOUDNESS_FRAME
    if frames == 0:
        return 0.0
    loudness = np.sqrt(np.mean(audio[: frames * LOUDNESS_FRAME].reshape(frames, -1) ** 2, axis=1))
    loud = np.flatnonzero(loudness > QUIET_SHARE * float(loudness.max()))
    return float(loud[-1] + 1) * LOUDNESS_FRAME / SAMPLE_RATE if len(loud) else 0.0


def quick_decode(
    model: WhisperModel,
    samples: Samples,
    language: str,
    prompt: str | None = None,
    beam_size: int = 1,
    words: bool = False,
    min_seconds: float = 0.0,
) -> QuickDecode:
    """What whisper hears in `samples` (≤ 30 s), without timestamp tokens; word times come
    from the decoder's cross-attention alignment, as faster-whisper finds them.

    The window is at least `min_seconds` long."""
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer

    features = model.feature_extractor(np.asarray(samples, dtype=np.float32))
    frames = min(features.shape[-1], MAX_FRAMES)
    width = math.ceil(frames / FRAMES_PER_SECOND) * FRAMES_PER_SECOND + TAIL_FRAMES
    width = min(MAX_FRAMES, max(width, round(min_seconds * FRAMES_PER_SECOND)))
    window = np.zeros((1, features.shape[0], width), dtype=np.float32)
    window[0, :, :frames] = features[:, :frames]
    encoded = model.model.encode(ctranslate2.StorageView.from_array(window), to_cpu=False)
    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    head: list[int] = []
    if prompt:
        head = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]]
    start = [*head, *tokenizer.sot_sequence, tokenizer.no_timestamps]
    # no speech is faster than this: a longer output is a decode caught in a loop
    limit = min(MAX_TOKENS, math.ceil(len(samples) / SAMPLE_RATE * TOKENS_PER_SECOND) + 10)
    result = model.model.generate(
        encoded,
        [start],
        beam_size=beam_size,
        max_length=limit + len(start),
        suppress_blank=True,
        suppress_tokens=[-1],
    )
    tokens = [t for t in result[0].sequences_ids[0] if t < tokenizer.eot]
    text: str = tokenizer.decode(tokens)
    if len(tokens) >= limit or _repetitive(text) or _repeats_a_run(tokens) or _starts_over(tokens):
        # a decode that loops on a phrase: the caller decodes the full window instead
        return QuickDecode(text, degenerate=True)
    if not words or not tokens:
        return QuickDecode(text)
    duration = len(samples) / SAMPLE_RATE
    aligned = model.find_alignment(tokenizer, [tokens], encoded, frames)[0]
    found = [
        (
            str(item["word"]),
            min(float(item["start"]), duration),
            min(float(item["end"]), duration),
            float(item["probability"]),
        )
        for item in aligned
    ]
    return QuickDecode(text, found)


def _repetitive(text: str) -> bool:
    data = text.encode()
    return len(data) > 40 and len(data) / len(zlib.compress(data)) > MAX_COMPRESSION_RATIO


def _starts_over(tokens: list[int]) -> bool:
    """Whether the decode ends by saying its beginning again ("Tonight the orchestra will …
    Tchaikovsky. Tonight the orchestra will"): on a window cut close to the speech whisper
    now and then goes back to the start."""
    return any(
        tokens[-size:] == tokens[:size]
        for size in range(MIN_RESTART_TOKENS, (len(tokens) - 1) // 2 + 1)
    )


def _repeats_a_run(tokens: list[int]) -> bool:
    """Whether some run of MIN_REPEATED_RUN tokens comes twice (a sentence said twice):
    within one short segment people seldom do that, whisper on a cut window now and then does."""
    seen: dict[tuple[int, ...], int] = {}
    for start in range(len(tokens) - MIN_REPEATED_RUN + 1):
        run = tuple(tokens[start : start + MIN_REPEATED_RUN])
        first = seen.setdefault(run, start)
        if start - first >= MIN_REPEATED_RUN:
            return True
    return False
