"""Assembling and verifying the packaged Kokoro model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from voxhub.engines.tts.kokoro.model import (
    DURATION_TENSOR,
    assemble_packaged_model,
    load_assets,
    verify_sha256,
    with_duration_output,
)
from voxhub.engines.tts.onnx_graph import _varint
from voxhub.errors import EngineUnavailable


def test_varint_encoding() -> None:
    assert _varint(1) == b"\x01"
    assert _varint(127) == b"\x7f"
    assert _varint(300) == b"\xac\x02"


def test_checksum_mismatch_is_reported() -> None:
    with pytest.raises(EngineUnavailable, match="checksum mismatch"):
        verify_sha256(b"not a model", "0" * 64)
    verify_sha256(b"abc", hashlib.sha256(b"abc").hexdigest())


@pytest.mark.kokoro
def test_packaged_model_exposes_token_durations() -> None:
    import onnxruntime as ort

    assets = load_assets()
    session = ort.InferenceSession(assets.model, providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["audio", DURATION_TENSOR]
    assert {"jm_kumo", "jf_alpha"} <= set(assets.voices)
    assert assets.vocab[" "] == 16


@pytest.mark.kokoro
def test_model_dir_with_wrong_checksum_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(assemble_packaged_model()[:1000])
    (tmp_path / "model.sha256").write_text("0" * 64 + "\n")
    np.savez(tmp_path / "voices.npz", jm_kumo=np.zeros((510, 1, 256), np.float32))
    (tmp_path / "vocab.json").write_text('{"vocab": {" ": 16}}')
    with pytest.raises(EngineUnavailable, match="checksum"):
        load_assets(str(tmp_path))


def test_duration_output_is_appended_as_graph_output() -> None:
    patched = with_duration_output(b"")
    # ModelProto.graph (7) > GraphProto.output (12) > ValueInfoProto.name (1)
    assert patched[0] == (7 << 3 | 2)
    assert DURATION_TENSOR.encode() in patched
