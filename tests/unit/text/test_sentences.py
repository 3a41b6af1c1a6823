"""Sentence splitting: punctuation, abbreviations, quotes, the hard cap, and nothing lost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxhub.text.sentences import Sentence, split_lines_and_sentences, split_sentences


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。我们去公园吧！好不好？", ["今天天气很好。", "我们去公园吧！", "好不好？"]),
        ("我不去；他去。", ["我不去；", "他去。"]),
        ("他想了想……然后走了。", ["他想了想……", "然后走了。"]),
        ("“你好……”他说。", ["“你好……”", "他说。"]),
        ("他说：“我明白了。”然后笑了。", ["他说：“我明白了。”", "然后笑了。"]),
        ("「真的吗？！」她问。", ["「真的吗？！」", "她问。"]),
        ("第一行\n第二行\n\n第三段", ["第一行", "第二行", "第三段"]),
        ("第一章 清晨的车站\n清晨六点，", ["第一章 清晨的车站", "清晨六点，"]),
        ("价格是3.14元。好的", ["价格是3.14元。", "好的"]),
    ],
)
def test_chinese(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello there. How are you? Fine!", ["Hello there.", "How are you?", "Fine!"]),
        ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        (
            "He moved to the U.S. in 2020. It was big.",
            ["He moved to the U.S. in 2020.", "It was big."],
        ),
        ("Pi is 3.14 roughly. Yes.", ["Pi is 3.14 roughly.", "Yes."]),
        ("Wait... what? No way.", ["Wait...", "what?", "No way."]),
        ('She said "Stop." Then left.', ['She said "Stop."', "Then left."]),
        ('"Really?" she asked. "Yes!" he said.', ['"Really?" she asked.', '"Yes!" he said.']),
        ("J. K. Rowling wrote it. Good.", ["J. K. Rowling wrote it.", "Good."]),
        ("Apples, pears, etc. are fruit.", ["Apples, pears, etc. are fruit."]),
        ("Meet at 5 p.m. tomorrow. Ok.", ["Meet at 5 p.m. tomorrow.", "Ok."]),
        ("Visit example.com or mail a@b.org today.", ["Visit example.com or mail a@b.org today."]),
        ("Acme Inc. and Foo Ltd. merged.", ["Acme Inc. and Foo Ltd. merged."]),
        ("Go to No. 5 now. No. I refuse.", ["Go to No. 5 now.", "No.", "I refuse."]),
        ("First; second.", ["First;", "second."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("1. Introduction\n2. Methods", ["1. Introduction", "2. Methods"]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        ("He said hi.我们走吧。", ["He said hi.", "我们走吧。"]),
    ],
)
def test_english_and_mixed(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_pieces_tell_which_ones_a_line_break_follows() -> None:
    text = "Chapter One\nIt was early. The station was empty.  \r\nA train came"
    assert split_lines_and_sentences(text, max_chars=10) == [
        Sentence("Chapter", False),
        Sentence("One", True),
        Sentence("It was", False),
        Sentence("early.", False),
        Sentence("The", False),
        Sentence("station", False),
        Sentence("was empty.", True),
        Sentence("A train", False),
        Sentence("came", False),
    ]


def test_empty_and_whitespace_only() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\t ") == []
    assert split_sentences("。") == ["。"]


def test_cap_prefers_clause_punctuation() -> None:
    text = "这是一个非常长的句子，里面有很多很多的字，用来测试长度限制，以及断开"
    assert split_sentences(text, max_chars=20) == [
        "这是一个非常长的句子，",
        "里面有很多很多的字，用来测试长度限制，",
        "以及断开",
    ]


def test_cap_english_clause_then_words() -> None:
    text = "One two three, four five six seven eight nine ten eleven twelve."
    assert split_sentences(text, max_chars=20) == [
        "One two three,",
        "four five six seven",
        "eight nine ten",
        "eleven twelve.",
    ]


def test_cap_does_not_break_numbers_at_commas() -> None:
    assert split_sentences("It cost 1,000,000 dollars", max_chars=12) == [
        "It cost",
        "1,000,000",
        "dollars",
    ]


def test_cap_cjk_without_punctuation_breaks_between_characters() -> None:
    text = "这是一个没有任何标点符号的非常长的中文句子用来测试"
    pieces = split_sentences(text, max_chars=10)
    assert pieces == ["这是一个没有任何标点", "符号的非常长的中文句", "子用来测试"]


def test_cap_never_breaks_latin_words_or_numbers_in_cjk_text() -> None:
    pieces = split_sentences("中文中文Python3中文中文12345中文", max_chars=8)
    assert "".join(pieces) == "中文中文Python3中文中文12345中文"
    assert all(len(piece) <= 8 for piece in pieces)
    assert "Python3" in pieces[1] and any("12345" in piece for piece in pieces)


def test_cap_keeps_a_single_overlong_word_whole() -> None:
    word = "Supercalifragilisticexpialidocious"
    assert split_sentences(f"{word} is long, ok", max_chars=10) == [word, "is long,", "ok"]


def test_cap_does_not_split_dash_pairs_or_ellipsis() -> None:
    pieces = split_sentences("他说——我们走吧……好", max_chars=4)
    assert "".join(pieces) == "他说——我们走吧……好"
    assert all("——" in piece or "—" not in piece for piece in pieces)
    assert any("……" in piece for piece in pieces)


# Words shorter than the cap, CJK runs (breakable anywhere) and punctuation between them.
_WORD = st.text(alphabet="abcXYZ019@-/", min_size=1, max_size=9)
_CJK_RUN = st.text(alphabet="中文你好世界一二三", min_size=1, max_size=30)
_PUNCT = st.sampled_from(
    [
        "",
        ".",
        "!",
        "?",
        ";",
        ",",
        "...",
        "……",
        "。",
        "！",
        "？",
        "；",
        "，",
        "、",
        "：",
        "——",
        "”",
        "」",
        ".”",
        '?"',
        ")",
        "'",
    ]
)
_TOKEN = st.tuples(st.one_of(_WORD, _CJK_RUN), _PUNCT).map("".join)
_GAP = st.sampled_from([" ", "  ", "\n", " \n\n ", "\t", "\u3000"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(_TOKEN, max_size=30))
    gaps = draw(st.lists(_GAP, min_size=len(tokens), max_size=len(tokens)))
    return "".join(token + gap for token, gap in zip(tokens, gaps, strict=True))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=200), _texts()), max_chars=st.integers(1, 60))
def test_nothing_dropped_duplicated_or_reordered(text: str, max_chars: int) -> None:
    pieces = split_sentences(text, max_chars=max_chars)
    assert squash("".join(pieces)) == squash(text)
    assert all(piece and piece == piece.strip() for piece in pieces)


@settings(max_examples=200, deadline=None)
@given(text=_texts(), max_chars=st.integers(15, 80))
def test_pieces_respect_cap_when_words_are_short(text: str, max_chars: int) -> None:
    pieces = split_sentences(text, max_chars=max_chars)
    assert squash("".join(pieces)) == squash(text)
    assert all(len(piece) <= max_chars for piece in pieces), pieces
