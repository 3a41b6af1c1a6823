"""Chunking sentences for long-text synthesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from voxhub.text.chunking import chunk_sentences, chunk_text
from voxhub.text.sentences import split_sentences


def squash(text: str) -> str:
    return "".join(text.split())


def test_chunk_sentences_groups_greedily() -> None:
    sentences = ["aaa", "bbbb", "cc", "dddddddddd", "e"]
    assert chunk_sentences(sentences, max_chars=7) == [
        ["aaa", "bbbb"],
        ["cc"],
        ["dddddddddd"],
        ["e"],
    ]


def test_chunk_sentences_exact_fit_and_empty() -> None:
    assert chunk_sentences(["ab", "cd", "ef"], max_chars=6) == [["ab", "cd", "ef"]]
    assert chunk_sentences([], max_chars=6) == []


def test_chunk_text_joins_chinese_without_spaces() -> None:
    assert chunk_text("你好。我很好！“真的吗？”当然。") == ["你好。我很好！“真的吗？”当然。"]


def test_chunk_text_joins_english_and_mixed_with_spaces() -> None:
    text = "Hello there. How are you? 你好。我很好！Fine."
    assert chunk_text(text) == ["Hello there. How are you? 你好。我很好！ Fine."]


def test_chunk_text_keeps_line_breaks_so_a_heading_stays_a_sentence() -> None:
    text = "第一章 清晨的车站\n清晨六点，车站里人很少。\n\nHello there.\r\nHow are you?"
    chunks = chunk_text(text)
    assert chunks == ["第一章 清晨的车站\n清晨六点，车站里人很少。\nHello there.\nHow are you?"]
    # a worker splits the chunk again: the heading is a sentence (and a cue) of its own
    assert split_sentences(chunks[0]) == [
        "第一章 清晨的车站",
        "清晨六点，车站里人很少。",
        "Hello there.",
        "How are you?",
    ]
    # a line break counts as one character of the chunk
    assert chunk_text("标题\n正文。", max_chars=6) == ["标题\n正文。"]
    assert chunk_text("标题\n正文。", max_chars=5) == ["标题", "正文。"]


def test_chunk_text_respects_max_chars_including_separators() -> None:
    text = "One two. Three four. Five six. Seven eight."
    chunks = chunk_text(text, max_chars=20)
    assert chunks == ["One two. Three four.", "Five six.", "Seven eight."]
    assert all(len(chunk) <= 20 for chunk in chunks)


def test_chunk_text_long_chinese() -> None:
    text = "今天天气很好。" * 100
    chunks = chunk_text(text, max_chars=250)
    assert all(len(chunk) <= 250 for chunk in chunks)
    assert [len(chunk) for chunk in chunks] == [245, 245, 210]
    assert "".join(chunks) == text


def test_chunk_text_empty() -> None:
    assert chunk_text("") == []
    assert chunk_text(" \n ") == []


_WORD = st.text(alphabet="abcXYZ019", min_size=1, max_size=9)
_CJK_RUN = st.text(alphabet="中文你好世界", min_size=1, max_size=40)
_PUNCT = st.sampled_from(["", ".", "!", "?", ",", "...", "。", "！", "，", "……", "”"])
_TOKEN = st.tuples(st.one_of(_WORD, _CJK_RUN), _PUNCT).map("".join)
_TEXT = st.lists(st.tuples(_TOKEN, st.sampled_from([" ", "\n", "  "]))).map(
    lambda parts: "".join(token + gap for token, gap in parts)
)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), _TEXT), max_chars=st.integers(1, 300))
def test_chunk_text_never_drops_or_reorders(text: str, max_chars: int) -> None:
    assert squash("".join(chunk_text(text, max_chars=max_chars))) == squash(text)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, max_chars=st.integers(15, 300))
def test_chunks_fit_when_words_are_shorter_than_cap(text: str, max_chars: int) -> None:
    chunks = chunk_text(text, max_chars=max_chars)
    assert squash("".join(chunks)) == squash(text)
    assert all(0 < len(chunk) <= max_chars for chunk in chunks), chunks
