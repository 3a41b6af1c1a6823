"""The normalization scorer: what it takes as the same reading, and what it reports."""

from __future__ import annotations

import sys

import pytest

from voxhub.benchmarks import normalization
from voxhub.benchmarks.normalization import Case, canonical, is_exact, load_cases, score
from voxhub.benchmarks.normalization_reference import wetext_normalizer

SET = (
    "category\tlanguage\twritten\tspoken\n"
    "# a comment line\n"
    "time\ten\tat 3:45 pm\tat three forty-five p m | at a quarter to four p m\n"
    "number\tzh\t有2个\t有两个\n"
)


@pytest.mark.parametrize(
    ("produced", "expected"),
    [
        ("three forty-five PM.", "three forty five p m"),
        ("nine o five", "nine oh five"),
        ("ten kilometres", "ten kilometers"),
        ("iPhone 十五，", "iphone十五。"),
        ("电话 零一零 一二三", "电话零一零一二三"),
        ("Ａ４纸", "A4纸"),
        # spelled letters join, so "a m" is "am" (a sentence never has both)
        ("the am", "the a m"),
    ],
)
def test_readings_that_sound_the_same_compare_equal(produced: str, expected: str) -> None:
    assert canonical(produced) == canonical(expected)


@pytest.mark.parametrize(
    ("produced", "expected"),
    [
        ("一+一", "一一"),
        ("twenty four", "twenty-fourth"),
        # marks that are read count where they are left unread
        ("50%", "50"),
        ("@所有人", "所有人"),
        ("A&B", "A B"),
    ],
)
def test_readings_that_differ_do_not(produced: str, expected: str) -> None:
    assert canonical(produced) != canonical(expected)


def test_load_cases_splits_alternatives_and_skips_comments() -> None:
    cases = load_cases(SET)
    assert cases == [
        Case("time", "en", "at 3:45 pm", ("at three forty-five p m", "at a quarter to four p m")),
        Case("number", "zh", "有2个", ("有两个",)),
    ]
    assert [case.normalizer_language for case in cases] == ["en", "zh"]
    assert Case("id", "zh+en", "x", ("x",)).normalizer_language == "zh"


def test_score_counts_exact_readings_per_language_and_category() -> None:
    cases = load_cases(SET)
    result = score(lambda text, language: {"有2个": "有二个"}.get(text, text), cases)
    assert result.cells == {("en", "time"): (0, 1), ("zh", "number"): (0, 1)}
    assert [failure.produced for failure in result.failures] == ["at 3:45 pm", "有二个"]
    perfect = score(
        lambda text, language: "at three forty-five PM" if language == "en" else "有两个", cases
    )
    assert perfect.rate() == 1.0 and perfect.rate("zh") == 1.0 and not perfect.failures
    assert is_exact(cases[0], "at a quarter to four P.M.")


def test_report_says_when_the_reference_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wetext", None)
    monkeypatch.setattr(normalization, "load_cases", lambda: load_cases(SET))
    lines: list[str] = []
    normalization.report(lines.append, show_failures=True)
    assert wetext_normalizer() is None
    assert any("not installed" in line for line in lines)
    assert any(line.startswith("all") and "100.0%" in line for line in lines)
    assert any("reads better: not measured" in line for line in lines)
