"""Hotwords from form fields and stream messages: parsed, checked, turned into a prompt."""

from __future__ import annotations

import pytest

from voxhub.errors import InvalidHotwords
from voxhub.services.recognition.hotwords import (
    MAX_HOTWORD_CHARS,
    MAX_HOTWORDS,
    MAX_PROMPT_CHARS,
    caller_prompt,
    form_hotwords_prompt,
    hotword_problem,
    parse_hotwords,
)


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("Kubernetes, Grafana", ("Kubernetes", "Grafana")),
        ("司马懿，欧阳修、诸葛瑾", ("司马懿", "欧阳修", "诸葛瑾")),
        ("New York\nSiobhan Nguyen;", ("New York", "Siobhan Nguyen")),
        ('{"阿里巴巴": 20, "达摩院": 10}', ("阿里巴巴", "达摩院")),
        ("{not json", ("{not json",)),
        ("  ,, ", ()),
    ],
)
def test_form_fields_are_split_into_words(field: str, words: tuple[str, ...]) -> None:
    assert parse_hotwords(field) == words


def test_problems_name_the_limit() -> None:
    assert hotword_problem(["voxhub", "司马懿"]) is None
    too_many = hotword_problem([f"w{i}" for i in range(MAX_HOTWORDS + 1)])
    assert too_many is not None and str(MAX_HOTWORDS) in too_many
    too_long = hotword_problem(["x" * (MAX_HOTWORD_CHARS + 1)])
    assert too_long is not None and str(MAX_HOTWORD_CHARS) in too_long
    assert hotword_problem(["ok", " "]) is not None


def test_a_form_field_becomes_one_prompt_or_an_error() -> None:
    assert form_hotwords_prompt("Kubernetes，司马懿") == "Kubernetes, 司马懿"
    assert form_hotwords_prompt(None) is None and form_hotwords_prompt(" ") is None
    with pytest.raises(InvalidHotwords) as raised:
        form_hotwords_prompt("x" * (MAX_HOTWORD_CHARS + 1))
    assert raised.value.code == "invalid_hotwords"


def test_a_callers_prompt_keeps_its_end() -> None:
    assert caller_prompt(None) is None and caller_prompt("  ") is None
    long = "a" * MAX_PROMPT_CHARS + "Tchaikovsky"
    kept = caller_prompt(long)
    assert kept is not None and len(kept) == MAX_PROMPT_CHARS and kept.endswith("Tchaikovsky")
