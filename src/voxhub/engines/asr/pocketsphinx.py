"""The pocketsphinx engine: US English, truly incremental, with the model the package ships."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voxhub.engines.asr.base import (
    ASRCapabilities,
    RecognizedSegment,
    RecognizedWord,
    Samples,
    StreamOptions,
    Transcript,
)
from voxhub.engines.asr.languages import resolve_language
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.asr.vad import SileroVad, VadConfig, speech_spans
from voxhub.errors import EngineUnavailable, InvalidInput

if TYPE_CHECKING:
    from pocketsphinx import Decoder

SAMPLE_RATE = 16_000
# the decoder searches after each piece, so partials move in steps of at most 200 ms
PIECE = SAMPLE_RATE // 5
FRAMES_PER_SECOND = 100
# decoders kept for reuse after their session closes (each holds ~90 MB of model)
MAX_IDLE_DECODERS = 32
# "word(2)" is the second pronunciation of "word"
_ALTERNATE = re.compile(r"\(\d+\)$")


class PocketsphinxEngine:
    """The en-us acoustic model, language model and dictionary from the pocketsphinx package.

    Decoders are not thread-safe, so every session owns one; closed sessions hand theirs
    back for the next session (loading one takes about half a second). Partials come from
    the decoder's running search, so they cost next to nothing: the work happens in
    `accept`. Note that pocketsphinx holds the GIL while it decodes, so the sessions of
    one process share one core; more API processes use more cores.
    """

    name = "pocketsphinx"

    def __init__(self, model: dict[str, str], vad: SileroVad, vad_config: VadConfig) -> None:
        self._model = model
        self._vad = vad
        self._vad_config = vad_config
        self._idle: list[Decoder] = []
        self._lock = threading.Lock()

    @classmethod
    def load(cls, options: ASROptions) -> PocketsphinxEngine:
        import pocketsphinx

        # always the packaged model: options.model_dir names a whisper model
        root = Path(pocketsphinx.get_model_path()) / "en-us"
        model = {
            "hmm": str(root / "en-us"),
            "lm": str(root / "en-us.lm.bin"),
            "dict": str(root / "cmudict-en-us.dict"),
        }
        missing = [path for path in model.values() if not Path(path).exists()]
        if missing:
            raise EngineUnavailable(
                f"The pocketsphinx model files {', '.join(missing)} are missing; reinstall "
                "pocketsphinx==5.1.1 (it ships the en-us model)."
            )
        engine = cls(model, SileroVad.load(), options.vad)
        # load one decoder now, so a broken model fails here rather than in a session
        engine.give_back(engine.take_decoder())
        return engine

    @property
    def capabilities(self) -> ASRCapabilities:
        return ASRCapabilities(
            languages=frozenset({"en"}),
            sample_rate=SAMPLE_RATE,
            word_timestamps=True,
            incremental=True,
            hotwords=False,
        )

    def open_session(self, options: StreamOptions) -> PocketsphinxSession:
        resolve_language(options.language, self.capabilities, self.name)
        _refuse_prompt(" ".join(options.hotwords))
        return PocketsphinxSession(self, self.take_decoder())

    def transcribe(
        self,
        samples: Samples,
        language: str | None,
        word_timestamps: bool = True,
        prompt: str | None = None,
    ) -> Transcript:
        """A whole recording, one utterance per speech segment the VAD finds."""
        resolve_language(language, self.capabilities, self.name)
        _refuse_prompt(prompt)
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        decoder = self.take_decoder()
        segments: list[RecognizedSegment] = []
        try:
            for span in speech_spans(self._vad, audio, self._vad_config):
                decoder.start_utt()
                decoder.process_raw(pcm16(audio[span.start : span.end]), False, True)
                decoder.end_utt()
                words = recognized_words(decoder, offset=span.start / SAMPLE_RATE)
                if words:
                    segments.append(
                        RecognizedSegment(
                            text=" ".join(w.text for w in words),
                            start=words[0].start,
                            end=words[-1].end,
                            words=tuple(words) if word_timestamps else (),
                        )
                    )
        finally:
            self.give_back(decoder)
        return Transcript(
            text=" ".join(s.text for s in segments),
            language="en",
            duration=len(audio) / SAMPLE_RATE,
            segments=tuple(segments),
        )

    def take_decoder(self) -> Decoder:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        from pocketsphinx import Decoder

        return Decoder(**self._model, loglevel="FATAL")

    def give_back(self, decoder: Decoder) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_DECODERS:
                self._idle.append(decoder)


class PocketsphinxSession:
    """One utterance at a time on the session's own decoder."""

    def __init__(self, engine: PocketsphinxEngine, decoder: Decoder) -> None:
        self._engine = engine
        self._decoder: Decoder | None = decoder
        self._in_utterance = False
        self._samples = 0

    def accept(self, samples: Samples) -> None:
        decoder = self._require()
        data = pcm16(np.asarray(samples, dtype=np.float32).reshape(-1))
        if not data:
            return
        if not self._in_utterance:
            decoder.start_utt()
            self._in_utterance = True
        step = PIECE * 2
        for offset in range(0, len(data), step):
            decoder.process_raw(data[offset : offset + step], False, False)
        self._samples += len(data) // 2

    def partial(self) -> str:
        decoder = self._require()
        if not self._in_utterance:
            return ""
        hypothesis = decoder.hyp()
        if hypothesis is None:
            return ""
        return " ".join(w for w in (clean_word(t) for t in hypothesis.hypstr.split()) if w)

    def partial_cost(self) -> float:
        """Partials read the running search: next to free (the work is done in `accept`)."""
        return 0.0

    def final(self) -> Transcript:
        decoder = self._require()
        duration = self._samples / SAMPLE_RATE
        words: list[RecognizedWord] = []
        if self._in_utterance:
            decoder.end_utt()
            words = recognized_words(decoder, offset=0.0)
        self._in_utterance = False
        self._samples = 0
        segments = (
            (
                RecognizedSegment(
                    " ".join(w.text for w in words), words[0].start, words[-1].end, tuple(words)
                ),
            )
            if words
            else ()
        )
        text = segments[0].text if segments else ""
        return Transcript(text=text, language="en", duration=duration, segments=segments)

    def reset(self) -> None:
        decoder = self._require()
        if self._in_utterance:
            decoder.end_utt()
        self._in_utterance = False
        self._samples = 0

    def close(self) -> None:
        if self._decoder is None:
            return
        self.reset()
        self._engine.give_back(self._decoder)
        self._decoder = None

    def _require(self) -> Decoder:
        if self._decoder is None:
            raise InvalidInput("This recognition session is closed; open a new one.")
        return self._decoder


def pcm16(samples: Samples) -> bytes:
    """Float samples in [-1, 1] as the little-endian 16-bit PCM pocketsphinx reads."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def clean_word(token: str) -> str:
    """A dictionary word without its pronunciation number; "" for fillers and silence."""
    if token.startswith(("<", "[", "+")):
        return ""
    return _ALTERNATE.sub("", token)


def recognized_words(decoder: Decoder, offset: float) -> list[RecognizedWord]:
    """The finished utterance's words with times, fillers (<s>, <sil>, [NOISE]…) left out."""
    words: list[RecognizedWord] = []
    for segment in decoder.seg():
        text = clean_word(segment.word)
        if not text:
            continue
        words.append(
            RecognizedWord(
                text=text,
                start=offset + segment.start_frame / FRAMES_PER_SECOND,
                # end_frame is the segment's last frame, inclusive
                end=offset + (segment.end_frame + 1) / FRAMES_PER_SECOND,
                probability=min(float(segment.prob), 1.0),
            )
        )
    return words


def _refuse_prompt(prompt: str | None) -> None:
    if prompt and prompt.strip():
        raise InvalidInput(
            "The pocketsphinx engine does not support hotwords or prompts; leave them out or "
            "use the whisper engine."
        )
