"""`voxhub asr-client --checks` holds the finals against the text the file says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.conftest import serve_app
from tests.support.asr_support import asr_settings, tone, write_wav, ws_url
from voxhub.cli.asr_client import asr_client
from voxhub.client.asr_checks import Checks
from voxhub.container import Container
from voxhub.engines.pool import EnginePool

# the fake engine hears one word per 100 ms of tone: this is what a 2 s tone says
HEARD = " ".join(f"w{n}" for n in range(1, 21))


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, engine_pool: EnginePool) -> Iterator[str]:
    settings = asr_settings(tmp_path_factory.mktemp("checks"))
    with serve_app(settings, Container.build(settings, engine_pool)) as served:
        yield ws_url(served)


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "talk.wav", tone(2.0))


def _lines(output: str) -> dict[str, str]:
    """Each check's line by its name: {"audio": "PASS  audio: …"}."""
    lines = [line for line in output.splitlines() if line.startswith(("PASS", "FAIL"))]
    return {line[6:].split(":", 1)[0]: line for line in lines}


def _run(url: str, wav: Path, *extra: str) -> tuple[int, dict[str, str], str]:
    app = typer.Typer()
    app.command()(asr_client)
    args = [str(wav), "--url", url, "--fast", "--language", "en", "--checks", *extra]
    done = CliRunner().invoke(app, args)
    return done.exit_code, _lines(done.output), done.output


def test_a_wrong_transcript_fails_the_full_workflow_showing_both_texts(url: str, wav: Path) -> None:
    said = "The quick brown fox jumps over the lazy dog"
    code, lines, output = _run(url, wav, "--expect", said)
    assert code == 1, output
    workflow = lines["full workflow"]
    assert workflow.startswith("FAIL"), output
    assert f"expected {said!r}, got {HEARD!r}" in workflow
    # nine words said, twenty heard: more edits than words
    assert "word error rate 222%" in workflow
    assert lines["audio"].startswith("FAIL") and lines["connect"].startswith("PASS")


def test_the_right_transcript_passes_and_a_txt_beside_the_file_is_the_expected_text(
    url: str, wav: Path
) -> None:
    code, lines, output = _run(url, wav, "--expect", HEARD)
    assert code == 0, output
    assert "(word error rate 0%" in lines["full workflow"]
    # one word of twenty wrong is within the default bar of 25%
    wav.with_suffix(".txt").write_text(HEARD.replace("w7", "seven") + "\n", encoding="utf-8")
    code, lines, output = _run(url, wav)
    assert code == 0, output
    assert "(word error rate 5%" in lines["full workflow"]
    code, lines, output = _run(url, wav, "--max-wer", "0.01")
    assert code == 1 and lines["full workflow"].startswith("FAIL"), output


def test_without_an_expected_text_the_checks_say_they_did_not_compare(url: str, wav: Path) -> None:
    code, lines, output = _run(url, wav)
    assert code == 0, output
    assert "not compared: no expected text" in lines["full workflow"]
    assert "finals are not compared" in output


def test_an_expected_text_needs_a_scorer() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Checks("ws://127.0.0.1:9/v1/asr/stream", b"", expected="hello")
