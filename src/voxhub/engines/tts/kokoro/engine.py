"""Kokoro-82M (int8 ONNX) neural TTS: Mandarin through misaki, English through espeak phonemes."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from voxhub.engines.tts.alignment import align_words, phoneme_groups
from voxhub.engines.tts.base import (
    Capabilities,
    Samples,
    SpokenAudio,
    StockVoices,
    SynthesisParams,
    Voice,
)
from voxhub.engines.tts.kokoro.model import SAMPLES_PER_FRAME, KokoroAssets, load_assets
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineUnavailable, UnsupportedLanguage, VoiceNotFound
from voxhub.timing import WordTiming

SAMPLE_RATE = 24_000
# the model attends over at most 510 tokens; batches stay a little under it
MAX_TOKENS = 500
PUNCTUATION = frozenset(';:,.!?¡¿—…"«»“”()[]{}')
_ENGLISH_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*")
_SPOKEN = re.compile(r"[\w]", re.UNICODE)

# Only the Japanese-named speaker styles ship; the model itself speaks zh and en with them
_VOICE_GENDER = {"jf": "female", "jm": "male"}
# chosen by round trips through the recognizer (README, "Speech quality"): jm_kumo is the
# clearest of the styles in both languages
DEFAULT_VOICES = {"zh": "jm_kumo", "en": "jm_kumo"}
# the styles the pinned packages ship (their files are checked by SHA-256 at load), so voices
# can be listed without loading the model
PACKAGED_STYLES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")


def kokoro_voice(style: str) -> Voice:
    return Voice(
        id=f"kokoro:{style}",
        name=style,
        engine=KokoroEngine.name,
        languages=("zh", "en"),
        gender=_VOICE_GENDER.get(style[:2]),
        description="Kokoro-82M speaker style",
    )


class KokoroEngine(StockVoices):
    """One loaded Kokoro model; `synthesize` is safe to call from many threads at once."""

    label = "Kokoro"

    name = "kokoro"

    def __init__(self, assets: KokoroAssets, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # a server runs several inferences at once: threads that spin while waiting steal
        # the cores the others need (measured: 2 at once, 13% more throughput without)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            assets.model, options, providers=["CPUExecutionProvider"]
        )
        self._styles = assets.voices
        self._vocab = assets.vocab
        self._voices = [kokoro_voice(name) for name in sorted(self._styles)]
        self._english = _english_phonemizer(self._vocab)
        self._mandarin = _mandarin_phonemizer(self._english)
        # misaki's zh front end segments with jieba, whose lazy set-up is not re-entrant
        self._mandarin_lock = threading.Lock()
        self._capabilities = Capabilities(
            languages=frozenset({"zh", "en"}),
            sample_rate=SAMPLE_RATE,
            word_timings=True,
            streaming=True,
            cloning=False,
        )
        self._default_ids = {lang: f"kokoro:{name}" for lang, name in DEFAULT_VOICES.items()}

    @classmethod
    def catalog(cls, options: EngineOptions) -> Sequence[Voice] | None:
        """The packaged styles; None for a model directory of one's own (load to list it)."""
        return None if options.model_dir else [kokoro_voice(name) for name in PACKAGED_STYLES]

    @classmethod
    def load(cls, options: EngineOptions) -> KokoroEngine:
        engine = cls(load_assets(options.model_dir), options.threads)
        engine.synthesize("你好。", engine.default_voice("zh"), "zh", SynthesisParams())
        return engine

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        phonemes = self._known(self._phonemize(text, language))
        if not phonemes.strip(" "):
            return SpokenAudio(np.zeros(0, dtype=np.float32), SAMPLE_RATE, ())
        style = self._style(voice.name)
        speed = float(min(max(params.speed, 0.5), 2.0))
        pieces: list[Samples] = []
        words: list[WordTiming] = []
        offset = 0
        for batch in _batches(phonemes, MAX_TOKENS):
            audio, edges = self._run(batch, style, speed)
            seconds = ((edges + offset) / SAMPLE_RATE).tolist()
            groups = phoneme_groups(batch, seconds, PUNCTUATION)
            words += align_words(_words_of(batch_text(text, phonemes, batch), language), groups)
            pieces.append(audio)
            offset += len(audio)
        samples = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        return SpokenAudio(samples, SAMPLE_RATE, tuple(words))

    def find_voice(self, name: str) -> Voice | None:
        """A packaged style, or a blend of them: `kokoro:jm_kumo*0.7+jf_alpha*0.3`."""
        _, _, short = name.rpartition(":")
        if not _is_blend(short):
            return super().find_voice(name)
        parts = parse_blend(short)
        unknown = sorted({style for style, _ in parts} - set(self._styles))
        if unknown:
            raise VoiceNotFound(
                f"Kokoro has no speaker style {', '.join(unknown)} to blend; it has "
                f"{', '.join(sorted(self._styles))}."
            )
        canonical = "+".join(f"{style}*{weight:g}" for style, weight in parts)
        voice = kokoro_voice(canonical)
        return replace(voice, gender=None, description=f"Kokoro-82M blend of {canonical}")

    def _style(self, name: str) -> np.ndarray[Any, Any]:
        """The style vectors of a packaged style or a blend (the weighted mean of them)."""
        if name in self._styles:
            return self._styles[name]
        if _is_blend(name):
            parts = parse_blend(name)
            if all(style in self._styles for style, _ in parts):
                mixed = sum(weight * self._styles[style] for style, weight in parts)
                return np.asarray(mixed, dtype=np.float32)
        raise EngineUnavailable(f"Kokoro has no speaker style {name!r}.")

    def _phonemize(self, text: str, language: str) -> str:
        if language == "en":
            return self._english(text)
        if language == "zh":
            with self._mandarin_lock:
                return self._mandarin(text)
        raise UnsupportedLanguage(f"Kokoro speaks zh and en, not {language!r}.")

    def _known(self, phonemes: str) -> str:
        """Keep only phonemes in the vocabulary, so string index i is token i."""
        return " ".join("".join(p for p in phonemes if p in self._vocab).split())

    def _run(
        self, phonemes: str, style: np.ndarray[Any, Any], speed: float
    ) -> tuple[Samples, np.ndarray[Any, np.dtype[np.float64]]]:
        """Synthesize one batch; returns audio and the sample edge of every phoneme."""
        tokens = [self._vocab[p] for p in phonemes]
        inputs = {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": style[len(tokens) - 1],
            "speed": np.array([speed], dtype=np.float32),
        }
        try:
            audio, durations = self._session.run(None, inputs)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EngineUnavailable(f"Kokoro inference failed: {exc}") from exc
        audio = np.asarray(audio, dtype=np.float32).ravel()
        frames = np.concatenate([[0.0], np.cumsum(np.asarray(durations).ravel())])
        # frames[k] is where token k starts, the leading pad being token 0
        scale = len(audio) / (frames[-1] * SAMPLES_PER_FRAME) if frames[-1] else 1.0
        edges = frames[1 : len(tokens) + 2] * SAMPLES_PER_FRAME * scale
        return audio, edges


def _is_blend(name: str) -> bool:
    return "+" in name or "*" in name


def parse_blend(name: str) -> list[tuple[str, float]]:
    """`a*0.7+b*0.3` (weights default to 1) as styles with weights summing to 1, heaviest
    first; VoiceNotFound when it is not a blend of at least two styles."""
    weights: dict[str, float] = {}
    for part in name.split("+"):
        style, star, weight = part.strip().partition("*")
        try:
            value = float(weight) if star else 1.0
        except ValueError:
            value = -1.0
        if not style or not value > 0:
            raise VoiceNotFound(
                f"Voice {name!r} is not a blend: write styles with positive weights, "
                "such as kokoro:jm_kumo*0.7+jf_alpha*0.3."
            )
        weights[style.strip()] = weights.get(style.strip(), 0.0) + value
    if len(weights) < 2:
        raise VoiceNotFound(f"Voice {name!r} blends fewer than two styles.")
    total = sum(weights.values())
    return sorted(
        ((style, round(value / total, 3)) for style, value in weights.items()),
        key=lambda item: (-item[1], item[0]),
    )


def _batches(phonemes: str, limit: int) -> list[str]:
    """Cut a phoneme string at spaces into pieces of at most `limit` phonemes."""
    if len(phonemes) <= limit:
        return [phonemes]
    batches: list[str] = []
    current = ""
    for word in phonemes.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            batches.append(current)
        while len(word) > limit:
            batches.append(word[:limit])
            word = word[limit:]
        current = word
    if current:
        batches.append(current)
    return batches


def batch_text(text: str, phonemes: str, batch: str) -> str:
    """The share of `text` a batch speaks, by position, when a sentence needed several batches."""
    if batch == phonemes:
        return text
    start = phonemes.find(batch)
    begin = round(len(text) * start / len(phonemes))
    end = round(len(text) * (start + len(batch)) / len(phonemes))
    return text[begin:end]


def _words_of(text: str, language: str) -> list[str]:
    if language == "en":
        return _ENGLISH_WORD.findall(text)
    import jieba

    return [w for w in jieba.lcut(text) if _SPOKEN.search(w)]


def _english_phonemizer(vocab: dict[str, int]) -> Callable[[str], str]:
    from kokoro_onnx.tokenizer import Tokenizer

    tokenizer = Tokenizer(vocab=vocab)

    def phonemize(text: str) -> str:
        phonemes: str = tokenizer.phonemize(text, "en-us")
        return phonemes

    return phonemize


def _mandarin_phonemizer(english: Callable[[str], str]) -> Callable[[str], str]:
    import jieba
    from misaki.zh import ZHG2P

    # jieba narrates its dictionary loading at DEBUG on its own handler
    jieba.setLogLevel(logging.WARNING)

    g2p = ZHG2P(en_callable=english)

    def phonemize(text: str) -> str:
        phonemes, _ = g2p(text)
        return str(phonemes)

    return phonemize
