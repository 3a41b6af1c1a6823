"""Text UTF-8 and the databases can hold: lone surrogates and NUL are found and placed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxhub.text.encodable import text_problem


@pytest.mark.parametrize(
    "text",
    ["", "Hello.", "你好，世界。", "emoji 😀 and 𠀀 (outside the BMP)", "tab\tline\nreturn\r"],
)
def test_text_anyone_can_send_has_no_problem(text: str) -> None:
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [("\ud800 x", "U+D800", 0), ("ab\udfff", "U+DFFF", 2), ("你好\ud83d", "U+D83D", 2)],
)
def test_a_lone_surrogate_is_named_with_its_position(text: str, code: str, position: int) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert f"unpaired surrogate ({code}) at position {position};" in problem


def test_nul_is_refused_too() -> None:
    # PostgreSQL text cannot hold it, and a C string would end there
    problem = text_problem("hi\x00 there")
    assert problem is not None and "NUL character (U+0000) at position 2" in problem


def test_the_first_problem_is_the_one_reported() -> None:
    problem = text_problem("a\x00b\ud800")
    assert problem is not None and "position 1" in problem


def test_raw_bytes_that_json_decodes_to_a_surrogate_are_caught() -> None:
    # json.loads reads bytes with surrogatepass: ED A0 80 becomes U+D800
    decoded = b"\xed\xa0\x80 x".decode("utf-8", "surrogatepass")
    problem = text_problem(decoded)
    assert problem is not None and "U+D800" in problem


@given(st.text())
def test_a_problem_exactly_when_utf8_or_the_database_cannot_hold_it(text: str) -> None:
    try:
        text.encode("utf-8")
        holdable = "\x00" not in text
    except UnicodeEncodeError:
        holdable = False
    assert (text_problem(text) is None) == holdable
