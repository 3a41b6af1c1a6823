"""Greedy text-only whisper decodes on a window cut to the audio, for partial results.

faster-whisper pads every decode to whisper's 30 s window, so the encoder costs the same for
1 s or 25 s of audio (about 0.6 s on one core for whisper-base). The encoder accepts shorter
inputs: cut to the audio plus a second of silence (after which whisper ends its transcript),
a partial of a few seconds decodes about 4× faster with the same words (measured on English
and Mandarin speech). Finals keep the full window, its timestamps and word alignment.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from voxhub.asr.base import Samples

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# encoder frames are 10 ms; whisper's whole window is 3,000 of them
FRAMES_PER_SECOND = 100
MAX_FRAMES = 3000
# silence after the speech, so the decoder sees where it ends
TAIL_FRAMES = 100
# tokens of one partial: more than 25 s of fast speech needs
MAX_TOKENS = 200
# the previous-text prompt whisper takes is at most half its 448-token context
MAX_PROMPT_TOKENS = 223


def quick_text(
    model: WhisperModel, samples: Samples, language: str, prompt: str | None = None
) -> str:
    """What whisper hears in `samples` (≤ 30 s), decoded greedily without timestamps."""
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer

    features = model.feature_extractor(np.asarray(samples, dtype=np.float32))
    frames = features.shape[-1]
    width = min(MAX_FRAMES, math.ceil(frames / FRAMES_PER_SECOND) * FRAMES_PER_SECOND + TAIL_FRAMES)
    window = np.zeros((1, features.shape[0], width), dtype=np.float32)
    window[0, :, : min(frames, width)] = features[:, :width]
    encoded = model.model.encode(ctranslate2.StorageView.from_array(window), to_cpu=False)
    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    head: list[int] = []
    if prompt:
        head = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]]
    start = [*head, *tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(
        encoded,
        [start],
        beam_size=1,
        max_length=MAX_TOKENS,
        suppress_blank=True,
        suppress_tokens=[-1],
    )
    tokens = [t for t in result[0].sequences_ids[0] if t < tokenizer.eot]
    text: str = tokenizer.decode(tokens)
    return text
