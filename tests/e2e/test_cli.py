"""The `voxhub` command run as users run it, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf
from alembic.script import ScriptDirectory

from voxhub.db.migrate import MIGRATIONS
from voxhub.subtitles.formats import parse_srt


def _voxhub(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOXHUB_ENGINES__PRELOAD": "[]"}
    env.pop("VOXHUB_DATA_DIR", None)
    if home is not None:
        env["XDG_DATA_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "voxhub.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_say_writes_audio_and_subtitles(tmp_path: Path) -> None:
    text = "Hello from the command line. This is voxhub speaking, with subtitles!"
    result = _voxhub(
        "say",
        text,
        "-o",
        "out.flac",
        "--voice",
        "espeak:en-us",
        "--srt",
        "out.srt",
        "--vtt",
        "out.vtt",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "out.flac" in result.stdout and "espeak:en-us" in result.stdout
    data, rate = sf.read(tmp_path / "out.flac")
    cues = parse_srt((tmp_path / "out.srt").read_text(encoding="utf-8"))
    assert abs(cues[-1].end - len(data) / rate) <= 0.05
    assert (tmp_path / "out.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_say_reads_a_file_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("第一句话。第二句话！", encoding="utf-8")
    ok = _voxhub("say", "-f", "in.txt", "-o", "zh.wav", "--voice", "espeak:cmn", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert sf.info(str(tmp_path / "zh.wav")).duration > 1
    bad = _voxhub("say", "hi", "-o", "x.wav", "--voice", "espeak:nobody", cwd=tmp_path)
    assert bad.returncode == 2
    assert "Unknown voice" in bad.stderr and "voxhub voices" in bad.stderr


def test_voices_lists_engine_voices(tmp_path: Path) -> None:
    result = _voxhub("voices", "--engine", "espeak", "--language", "zh", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "espeak:cmn" in result.stdout


def test_local_commands_keep_their_files_in_the_data_home_not_the_current_directory(
    tmp_path: Path,
) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    said = _voxhub("say", "Hello.", "-o", "hi.wav", "--voice", "espeak:en-us", cwd=work, home=home)
    assert said.returncode == 0, said.stderr
    assert sorted(path.name for path in work.iterdir()) == ["hi.wav"]
    assert (home / "voxhub" / "voxhub.db").is_file()


def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "voxhub.cli", "--data-dir", str(tmp_path), "migrate"],
        capture_output=True,
        text=True,
        check=True,
    )
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert f"database at revision {head}" in result.stdout
    assert (tmp_path / "voxhub.db").is_file()


def test_jobs_purge_local_removes_old_finished_jobs_of_a_stopped_install(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from voxhub.db.engine import database_engine
    from voxhub.db.migrate import upgrade
    from voxhub.db.repositories.jobs import JobStore

    engine = database_engine(f"sqlite:///{tmp_path / 'voxhub.db'}")
    upgrade(engine)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    old = JobStore(engine, clock=lambda: long_ago)
    old.create("a" * 32, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)
    old.cancel("a" * 32)
    JobStore(engine).create("b" * 32, "text", {"voice": "espeak:en-us"}, ["text"], None, 5)
    engine.dispose()

    kept = _voxhub(
        "--data-dir", str(tmp_path), "jobs", "purge", "--local", "--older-than", "4d", cwd=tmp_path
    )
    assert kept.returncode == 0, kept.stderr
    assert "removed 0 jobs" in kept.stderr
    purged = _voxhub(
        "--data-dir", str(tmp_path), "jobs", "purge", "--local", "--older-than", "2d", cwd=tmp_path
    )
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.split() == ["a" * 32] and "removed 1 jobs" in purged.stderr
    bad = _voxhub(
        "--data-dir",
        str(tmp_path),
        "jobs",
        "purge",
        "--local",
        "--older-than",
        "soon",
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "7d" in bad.stderr


def test_models_prepare_assembles_checks_and_loads_the_enabled_models(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "VOXHUB_MODEL_CACHE": str(cache),
        "VOXHUB_ENGINES__ENABLED": '["espeak"]',
        "VOXHUB_ASR__ENABLED": '["whisper"]',
    }
    command = [sys.executable, "-m", "voxhub.cli", "models", "prepare"]
    ready = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert ready.returncode == 0, ready.stderr
    assert "tts espeak: ready" in ready.stdout and "asr whisper: ready" in ready.stdout
    [model] = cache.glob("whisper-base-*/model.bin")
    assert model.stat().st_size == 145_217_532

    broken = {**env, "VOXHUB_ASR__MODEL_DIR": str(tmp_path / "nowhere")}
    failed = subprocess.run(command, env=broken, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert "asr whisper:" in failed.stderr and "VOXHUB_ASR__MODEL_DIR" in failed.stderr
