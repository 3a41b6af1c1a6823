"""Piper neural TTS (VITS, ONNX) speaking US English with the pinned en_US-joe-medium voice."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from voxhub.engines.tts.alignment import PhonemeGroup
from voxhub.engines.tts.base import (
    Capabilities,
    Samples,
    SpokenAudio,
    StockVoices,
    SynthesisParams,
    Voice,
)
from voxhub.engines.tts.options import EngineOptions
from voxhub.engines.tts.piper.model import VOICE_NAME, PiperAssets, load_assets
from voxhub.engines.tts.piper.words import (
    align_clauses,
    phoneme_clauses,
    snap_to_speech,
    text_clauses,
)
from voxhub.errors import EngineUnavailable, UnsupportedLanguage

if TYPE_CHECKING:
    from piper import PiperVoice

VOICE_ID = f"piper:{VOICE_NAME}"
_PAD, _BOS = "_", "^"


@dataclass(frozen=True, slots=True)
class _Sentence:
    """One inference: the phonemes spoken and the sample where each starts (plus the end)."""

    samples: Samples
    phonemes: list[str]
    edges: list[int]


PACKAGED_VOICE = Voice(
    id=VOICE_ID,
    name=VOICE_NAME,
    engine="piper",
    languages=("en",),
    gender="male",
    description="Piper joe (medium quality), US English",
)


class PiperEngine(StockVoices):
    """One loaded Piper voice; `synthesize` is safe to call from many threads at once.

    No lock of ours is needed: onnxruntime sessions run concurrently, and piper's espeak
    phonemizer (process-global C state) is already serialized by piper's own lock, held
    only while a text is phonemized.
    """

    label = "Piper"

    name = "piper"

    def __init__(self, assets: PiperAssets, threads: int) -> None:
        import onnxruntime as ort
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # concurrent inferences share the cores: spinning threads would steal them
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(assets.model, options, providers=["CPUExecutionProvider"])
        config = PiperConfig.from_dict(assets.config)
        self._voice: PiperVoice = PiperVoice(session=session, config=config)
        self._id_map = config.phoneme_id_map
        self._sample_rate = config.sample_rate
        self._length_scale = config.length_scale
        self._voices = [PACKAGED_VOICE]
        self._capabilities = Capabilities(
            languages=frozenset({"en"}),
            sample_rate=self._sample_rate,
            word_timings=True,
            streaming=True,
            cloning=False,
        )
        self._default_ids = {"en": self._voices[0].id}

    @classmethod
    def catalog(cls, options: EngineOptions) -> Sequence[Voice] | None:
        """The packaged voice, listed without loading the model."""
        return None if options.model_dir else [PACKAGED_VOICE]

    @classmethod
    def load(cls, options: EngineOptions) -> PiperEngine:
        engine = cls(load_assets(options.model_dir), options.threads)
        engine.synthesize("Hello.", engine.default_voice("en"), "en", SynthesisParams())
        return engine

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        if language != "en":
            raise UnsupportedLanguage(f"Piper speaks en here, not {language!r}.")
        if voice.name != VOICE_NAME:
            raise EngineUnavailable(f"Piper has no voice {voice.name!r}; it has {VOICE_NAME}.")
        # a length scale above 1 slows speech down: it is the inverse of speed
        length_scale = self._length_scale / float(min(max(params.speed, 0.5), 2.0))
        sentences = [
            self._speak(phonemes, length_scale)
            for phonemes in self._voice.phonemize(text)
            if any(p in self._id_map for p in phonemes)
        ]
        if not sentences:
            return SpokenAudio(np.zeros(0, dtype=np.float32), self._sample_rate, ())
        samples = np.concatenate([s.samples for s in sentences])
        clauses = align_clauses(text_clauses(text), self._phoneme_clauses(sentences))
        words = snap_to_speech(clauses, samples, self._sample_rate)
        return SpokenAudio(samples, self._sample_rate, tuple(words))

    def _speak(self, phonemes: list[str], length_scale: float) -> _Sentence:
        """Run one sentence; piper gives the samples each phoneme id lasted."""
        from piper.config import SynthesisConfig

        known = [p for p in phonemes if p in self._id_map]
        ids = self._voice.phonemes_to_ids(known)
        try:
            result = self._voice.phoneme_ids_to_audio(
                ids, SynthesisConfig(length_scale=length_scale), include_alignments=True
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EngineUnavailable(f"Piper inference failed: {exc}") from exc
        if not isinstance(result, tuple) or result[1] is None:
            raise EngineUnavailable("The Piper voice gives no alignments; check the model file.")
        audio = np.clip(np.asarray(result[0], dtype=np.float32).ravel(), -1.0, 1.0)
        per_id = np.asarray(result[1], dtype=np.int64).ravel()
        if len(per_id) != len(ids):
            raise EngineUnavailable(
                f"Piper aligned {len(per_id)} of {len(ids)} phoneme ids; check the model file."
            )
        return _Sentence(audio, known, self._edges(known, per_id, len(audio)))

    def _edges(self, phonemes: list[str], per_id: np.ndarray[Any, Any], total: int) -> list[int]:
        """Sample where each phoneme starts, plus where the last one ends.

        Ids run BOS PAD (phoneme PAD)* EOS: each phoneme owns its ids and the pad after it.
        """
        pad = len(self._id_map[_PAD])
        starts = [len(self._id_map[_BOS]) + pad]
        for phoneme in phonemes:
            starts.append(starts[-1] + len(self._id_map[phoneme]) + pad)
        cumulative = np.concatenate([[0], np.cumsum(per_id)])
        # widths are whole frames, so the audio is their sum; rescale should a model differ
        scale = total / cumulative[-1] if cumulative[-1] else 1.0
        return [round(float(cumulative[i]) * scale) for i in starts]

    def _phoneme_clauses(self, sentences: Sequence[_Sentence]) -> list[list[PhonemeGroup]]:
        """The spoken words of every sentence in seconds, grouped into clauses."""
        clauses: list[list[PhonemeGroup]] = []
        offset = 0
        for sentence in sentences:
            seconds = [(offset + e) / self._sample_rate for e in sentence.edges]
            clauses += phoneme_clauses(sentence.phonemes, seconds)
            offset += len(sentence.samples)
        return clauses
