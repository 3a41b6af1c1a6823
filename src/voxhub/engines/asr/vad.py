"""Voice activity detection: silero-vad as faster-whisper ships it, and a speech segmenter."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from voxhub.errors import EngineUnavailable

if TYPE_CHECKING:
    import onnxruntime

SAMPLE_RATE = 16_000
# the model takes windows of 512 new samples at 16 kHz, preceded by the 64 before them
FRAME = 512
CONTEXT = 64
# faster-whisper ships silero-vad v6 exported for onnxruntime: a recurrent model that takes
# a sequence of (64 context + 512 new) sample windows and its h/c state, with no torch
SILERO_MODEL = "assets/silero_vad_v6.onnx"

Samples = NDArray[np.float32]


def silero_model_path() -> Path:
    """The silero-vad ONNX file inside the installed faster-whisper package."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(
            "faster-whisper is not installed, and with it the silero-vad model; "
            "reinstall voxhub (pip install -e .)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SILERO_MODEL
    if not path.is_file():
        raise EngineUnavailable(
            f"faster-whisper lacks {SILERO_MODEL}; reinstall faster-whisper==1.2.1."
        )
    return path


@dataclass(frozen=True, slots=True)
class VadConfig:
    """How speech probabilities become speech segments; durations in seconds."""

    # a frame at or above this probability is speech; speech ends below threshold - 0.15
    threshold: float = 0.5
    # shorter bursts (clicks, coughs) are dropped
    min_speech: float = 0.25
    # a pause at least this long ends a segment
    min_silence: float = 0.5
    # kept before and after each segment, so word edges are not clipped
    padding: float = 0.2
    # a segment is cut (at its quietest recent frame) before it grows longer than this;
    # whisper sees at most 30 s at once
    max_speech: float = 25.0
    # the same for real-time streams: shorter, so a long unbroken turn is decoded piece by
    # piece while the speaker talks, and `stop` leaves only the last piece to decode
    max_stream_speech: float = 10.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("VAD threshold must be between 0 and 1.")
        if min(self.min_speech, self.min_silence, self.padding) < 0:
            raise ValueError("VAD durations must not be negative.")
        if min(self.max_speech, self.max_stream_speech) < 4.0:
            raise ValueError("VAD segments may not be cut shorter than four seconds.")


class SileroVad:
    """The loaded silero-vad model; one per engine, shared by every stream (thread-safe)."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session

    @classmethod
    def load(cls, path: Path | None = None) -> SileroVad:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # one frame is tiny: extra threads would cost more in hand-offs than they save
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(path or silero_model_path()), options, providers=["CPUExecutionProvider"]
        )
        return cls(session)

    def stream(self) -> VadStream:
        """Recurrent state for one audio stream."""
        return VadStream(self._session)

    def probabilities(self, samples: Samples) -> NDArray[np.float32]:
        """Speech probability of each whole 512-sample frame of a recording."""
        return self.stream().process(samples)


class VadStream:
    """One stream's model state: feed any number of samples, get one probability per frame.

    Samples that do not fill a frame wait for the next call.
    """

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: Samples) -> NDArray[np.float32]:
        audio = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        frames = len(audio) // FRAME
        self._pending = audio[frames * FRAME :].copy()
        if frames == 0:
            return np.zeros(0, dtype=np.float32)
        new = audio[: frames * FRAME].reshape(frames, FRAME)
        # each window is a frame preceded by the last 64 samples before it
        windows = np.empty((frames, CONTEXT + FRAME), dtype=np.float32)
        windows[:, CONTEXT:] = new
        windows[0, :CONTEXT] = self._context
        windows[1:, :CONTEXT] = new[:-1, -CONTEXT:]
        probabilities, self._h, self._c = self._session.run(
            None, {"input": windows, "h": self._h, "c": self._c}
        )
        self._context = new[-1, -CONTEXT:].copy()
        return np.asarray(probabilities, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    """A stretch of speech in samples, padding included: [start, end)."""

    start: int
    end: int

    def seconds(self, rate: int = SAMPLE_RATE) -> tuple[float, float]:
        return self.start / rate, self.end / rate


class SpeechSegmenter:
    """Turns frame probabilities into speech spans as they arrive.

    Spans are reported once a long enough pause closes them (or at `finish`); the one
    still open is available as `open_start`. Spans never overlap and stay in order.
    """

    def __init__(self, config: VadConfig, rate: int = SAMPLE_RATE, stream: bool = False) -> None:
        self.config = config
        self._rate = rate
        self._low = max(config.threshold - 0.15, 0.01)
        self._min_speech = round(config.min_speech * rate)
        self._min_silence = round(config.min_silence * rate)
        self._pad = round(config.padding * rate)
        longest = config.max_stream_speech if stream else config.max_speech
        self._max_speech = round(longest * rate)
        self.reset()

    def reset(self) -> None:
        self._frames = 0
        # unpadded start of the speech in progress, and the first quiet sample after it
        self._start: int | None = None
        self._quiet_from: int | None = None
        # probabilities since _start, to cut an over-long span at its quietest frame
        self._history: list[float] = []
        self._last_end = 0

    @property
    def processed(self) -> int:
        """Samples covered by the probabilities pushed so far."""
        return self._frames * FRAME

    @property
    def open_start(self) -> int | None:
        """Padded start of the span in progress, or None during silence."""
        if self._start is None:
            return None
        return max(self._start - self._pad, self._last_end)

    def push(self, probabilities: NDArray[np.float32]) -> list[SpeechSpan]:
        """Consume the next frames' probabilities; return the spans they closed."""
        closed: list[SpeechSpan] = []
        for probability in probabilities.tolist():
            frame_start = self._frames * FRAME
            self._frames += 1
            frame_end = self._frames * FRAME
            if self._start is None:
                if probability >= self.config.threshold:
                    self._start, self._quiet_from, self._history = frame_start, None, []
                else:
                    continue
            self._history.append(probability)
            if probability >= self.config.threshold:
                self._quiet_from = None
            elif probability < self._low and self._quiet_from is None:
                self._quiet_from = frame_start
            if self._quiet_from is not None and frame_end - self._quiet_from >= self._min_silence:
                span = self._close(self._quiet_from, frame_end)
                if span:
                    closed.append(span)
            elif frame_end - self._start >= self._max_speech:
                closed.append(self._cut())
        return closed

    def finish(self, total: int) -> list[SpeechSpan]:
        """The audio ended after `total` samples: close the span in progress, if any."""
        if self._start is None:
            return []
        end = self._quiet_from if self._quiet_from is not None else total
        span = self._close(min(end, total), total)
        return [span] if span else []

    def _close(self, end: int, available: int) -> SpeechSpan | None:
        start = self._start
        assert start is not None
        self._start, self._quiet_from, self._history = None, None, []
        if end - start < self._min_speech:
            return None
        span = SpeechSpan(max(start - self._pad, self._last_end), min(end + self._pad, available))
        self._last_end = span.end
        return span

    def _cut(self) -> SpeechSpan:
        """End an over-long span at its quietest frame of the last few seconds; go on after it."""
        start = self._start
        assert start is not None
        recent = min(len(self._history) - 1, round(3 * self._rate / FRAME))
        candidates = self._history[-recent - 1 : -1] if recent > 0 else self._history[-1:]
        quietest = len(self._history) - 1 - recent + int(np.argmin(candidates))
        cut = start + (quietest + 1) * FRAME
        span = SpeechSpan(max(start - self._pad, self._last_end), cut)
        self._last_end = cut
        self._history = self._history[quietest + 1 :]
        self._start = cut
        self._quiet_from = None
        return span


def speech_spans(vad: SileroVad, samples: Samples, config: VadConfig) -> list[SpeechSpan]:
    """Every speech span of a whole recording."""
    segmenter = SpeechSegmenter(config)
    spans = segmenter.push(vad.probabilities(samples))
    return spans + segmenter.finish(len(samples))
