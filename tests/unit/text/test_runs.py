"""Language runs: mixed Chinese/English split into what each language speaks."""

from __future__ import annotations

import pytest

from voxhub.text.runs import language_runs


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("今天我们讨论一下。", [("今天我们讨论一下。", "zh")]),
        ("The weather is nice.", [("The weather is nice.", "en")]),
        ("我买了3个iPhone", [("我买了3个", "zh"), ("iPhone", "en")]),
        # numbers in a Chinese sentence are read in Chinese, with the units and codes on them
        ("我用Python 3写代码", [("我用", "zh"), ("Python ", "en"), ("3写代码", "zh")]),
        ("MacBook Air重1.24kg。", [("MacBook Air", "en"), ("重1.24kg。", "zh")]),
        ("iPhone 15售价5999元", [("iPhone ", "en"), ("15售价5999元", "zh")]),
        ("他坐CA1831航班，用MP3听歌", [("他坐CA1831航班，用MP3听歌", "zh")]),
        # outside Chinese sentences numbers stay with the words before them
        ("Python 3 is here.", [("Python 3 is here.", "en")]),
        ("Hello，世界", [("Hello，", "en"), ("世界", "zh")]),
        # one Latin letter is read the Chinese way, with its neighbours
        ("A股今天涨了", [("A股今天涨了", "zh")]),
        (
            "GPT-4很强，Node.js也不错",
            [("GPT-4很强，", "zh"), ("Node.js", "en"), ("也不错", "zh")],
        ),
        (
            "I don't like 北京 traffic",
            [("I don't like ", "en"), ("北京 ", "zh"), ("traffic", "en")],
        ),
        ("123。", [("123。", "zh")]),
        ("", []),
    ],
)
def test_runs_split_by_script_and_cover_the_text(text: str, runs: list[tuple[str, str]]) -> None:
    found = language_runs(text, "zh")
    assert [(run.text, run.language) for run in found] == runs
    assert "".join(run.text for run in found) == text


def test_text_in_neither_script_takes_the_primary_language() -> None:
    assert [(r.text, r.language) for r in language_runs("42!", "en")] == [("42!", "en")]
