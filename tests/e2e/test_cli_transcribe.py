"""`voxhub transcribe` on a WAV file, with a local engine and through a server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.asr_speech import ENGLISH, ENGLISH_VOICE, utterance, wav_bytes
from voxhub.engines.asr.accuracy import word_error_rate
from voxhub.engines.pool import EnginePool
from voxhub.subtitles.formats import parse_srt

pytestmark = pytest.mark.kokoro

SPOKEN = " ".join(ENGLISH[:2])


@pytest.fixture(scope="module")
def recording(engine_pool: EnginePool, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "speech.wav"
    path.write_bytes(wav_bytes(utterance(engine_pool, ENGLISH[:2], "en", ENGLISH_VOICE)))
    return path


def _voxhub(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VOXHUB_ENGINES__PRELOAD": "[]",
        "VOXHUB_MODEL_CACHE": str(cwd / "models"),
    }
    return subprocess.run(
        [sys.executable, "-m", "voxhub.cli", "--data-dir", str(cwd / "data"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_local_engine_prints_text_json_and_subtitles(recording: Path, tmp_path: Path) -> None:
    text = _voxhub("transcribe", str(recording), "--engine", "pocketsphinx", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert word_error_rate(SPOKEN, text.stdout) <= 0.20, text.stdout
    srt = _voxhub(
        "transcribe", str(recording), "--engine", "pocketsphinx", "--format", "srt", cwd=tmp_path
    )
    assert srt.returncode == 0, srt.stderr
    assert len(parse_srt(srt.stdout)) >= 2
    # the default engine (whisper) with its model assembled in the model cache
    as_json = _voxhub("transcribe", str(recording), "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert body["engine"] == "whisper" and body["segments"][0]["words"]
    assert word_error_rate(SPOKEN, body["text"]) <= 0.20, body["text"]
    assert list((tmp_path / "models").glob("whisper-base-*/model.bin"))


def test_errors_exit_2_with_a_message(recording: Path, tmp_path: Path) -> None:
    bad = _voxhub(
        "transcribe", str(recording), "--engine", "pocketsphinx", "--language", "zh", cwd=tmp_path
    )
    assert bad.returncode == 2 and "recognizes: en" in bad.stderr
    (tmp_path / "notes.wav").write_text("not audio")
    bad = _voxhub("transcribe", "notes.wav", "--engine", "pocketsphinx", cwd=tmp_path)
    assert bad.returncode == 2 and "Cannot decode" in bad.stderr
    bad = _voxhub("transcribe", str(recording), "--format", "docx", cwd=tmp_path)
    assert bad.returncode == 2 and "json, text, srt, vtt" in bad.stderr


def test_through_a_server(recording: Path, live_server: str, tmp_path: Path) -> None:
    args = ("transcribe", str(recording), "--url", live_server, "--engine", "pocketsphinx")
    text = _voxhub(*args, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert word_error_rate(SPOKEN, text.stdout) <= 0.20, text.stdout
    vtt = _voxhub(*args, "--format", "vtt", cwd=tmp_path)
    assert vtt.returncode == 0 and vtt.stdout.startswith("WEBVTT")
    refused = _voxhub(*args, "--language", "zh", cwd=tmp_path)
    assert refused.returncode == 2 and "recognizes: en" in refused.stderr


def test_hotwords_here_and_through_a_server(
    engine_pool: EnginePool, live_server: str, tmp_path: Path
) -> None:
    """espeak's "Siobhan Nguyen" is heard as "Shivani and" unless the name is expected."""
    said = "Please send the invoice to Siobhan Nguyen today."
    path = tmp_path / "invoice.wav"
    path.write_bytes(wav_bytes(utterance(engine_pool, [said], "en", "espeak:en-us")))
    args = ("transcribe", str(path), "--language", "en")
    plain = _voxhub(*args, cwd=tmp_path)
    assert plain.returncode == 0 and "Siobhan" not in plain.stdout, plain.stderr
    for where in ((), ("--url", live_server)):
        hinted = _voxhub(*args, *where, "--hotwords", "Siobhan Nguyen, Kubernetes", cwd=tmp_path)
        assert hinted.returncode == 0, hinted.stderr
        assert "Siobhan Nguyen" in hinted.stdout, (where, hinted.stdout)
    bad = _voxhub(*args, "--hotwords", "x" * 65, cwd=tmp_path)
    assert bad.returncode == 2 and "64 characters" in bad.stderr
