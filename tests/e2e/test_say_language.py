"""`voxhub say` warns when the voice does not speak the language the text is written in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHINESE = "第一章 清晨的车站\n清晨六点，车站里人很少。\n"


def _say(tmp_path: Path, *args: str, level: str = "INFO") -> subprocess.CompletedProcess[str]:
    env = {
        "VOXHUB_LOG_LEVEL": level,
        **os.environ,
        "VOXHUB_DATA_DIR": str(tmp_path / "data"),
        "VOXHUB_ENGINES__ENABLED": '["espeak"]',
        "VOXHUB_ENGINES__DEFAULT": "espeak",
        "VOXHUB_ENGINES__PRELOAD": "[]",
    }
    return subprocess.run(
        [sys.executable, "-m", "voxhub.cli", "say", "-f", "in.txt", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("level", ["INFO", "ERROR"])
def test_an_english_voice_for_chinese_text_is_warned_about_naming_a_chinese_one(
    tmp_path: Path, level: str
) -> None:
    (tmp_path / "in.txt").write_text(CHINESE, encoding="utf-8")
    # shown whatever the log level: it is advice to the user, not a log line
    said = _say(tmp_path, "-o", "en.wav", "--voice", "espeak:en-us", level=level)
    assert said.returncode == 0, said.stderr
    warnings = [line for line in said.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, said.stderr
    assert "The text is Chinese, but voice espeak:en-us speaks English only" in warnings[0]
    assert "such as espeak:cmn" in warnings[0]
    assert "voice espeak:en-us, language en" in said.stdout


def test_a_chinese_voice_for_chinese_text_says_nothing(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text(CHINESE, encoding="utf-8")
    said = _say(tmp_path, "-o", "zh.wav")
    assert said.returncode == 0, said.stderr
    assert "warning" not in said.stderr.lower()
    assert "voice espeak:cmn, language zh" in said.stdout
